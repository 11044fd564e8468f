import { Alert, Badge, Button, FileInput, Group, Stack, Table, Text, Textarea } from '@mantine/core';
import { IconFileTypeCsv, IconUserOff } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatCount, plural } from '../profiles/format';
import { numbersFromCsv, numbersFromText } from './numberLists';
import { OUTCOME_LABELS, type ManualOptOutOutcome } from './types';
import { useManualOptOut } from './useOptOuts';

/** Manual Opt-Out (SPEC §3): paste numbers or choose a CSV whose first column holds them; each number's result is listed. */
export function ManualOptOutSection({ canEdit }: { canEdit: boolean }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileNumbers, setFileNumbers] = useState<string[] | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const optOut = useManualOptOut();
  const numbers = fileNumbers ?? numbersFromText(text);

  const chooseFile = async (chosen: File | null) => {
    setFile(chosen);
    setFileError(null);
    setFileNumbers(null);
    if (!chosen) return;
    try {
      const found = numbersFromCsv(await chosen.text());
      if (found.length === 0) setFileError(`${chosen.name} has no numbers in its first column`);
      else setFileNumbers(found);
    } catch (error) {
      setFileError(`${chosen.name} is not a CSV file Roster can read: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const counts = new Map<ManualOptOutOutcome, number>();
  for (const r of optOut.data ?? []) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Each number’s profile is opted out as “Undeliverable - Manual Opt-Out”. A number with no profile is recorded so it is never texted. Staff can opt
        these profiles in again from their page.
      </Text>
      {!canEdit ? (
        <Alert color="gray">Manual Opt-Out needs the editor role.</Alert>
      ) : (
        <>
          <Textarea
            label="Phone numbers"
            description="One a line, or separated by commas; any written form."
            autosize
            minRows={3}
            maxRows={10}
            value={text}
            disabled={fileNumbers !== null}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          <FileInput
            label="Or a CSV file"
            description="Numbers in the first column; a header row is skipped."
            accept=".csv,text/csv"
            clearable
            leftSection={<IconFileTypeCsv size={16} />}
            value={file}
            onChange={(f) => void chooseFile(f)}
            error={fileError}
            w={360}
          />
          <Group>
            <Button
              color="red"
              leftSection={<IconUserOff size={16} />}
              disabled={numbers.length === 0}
              loading={optOut.isPending}
              onClick={() => optOut.mutate(numbers)}
            >
              Opt out {numbers.length ? plural(numbers.length, 'number') : 'numbers'}
            </Button>
          </Group>
        </>
      )}
      {optOut.error && <Alert color="red">{optOut.error.message}</Alert>}
      {optOut.data && (
        <Stack gap="xs">
          <Group gap="xs" data-testid="manual-opt-out-summary">
            {[...counts].map(([outcome, n]) => (
              <Badge key={outcome} color={OUTCOME_LABELS[outcome].color} variant="light">
                {OUTCOME_LABELS[outcome].label}: {formatCount(n)}
              </Badge>
            ))}
          </Group>
          <Table aria-label="Manual Opt-Out results" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Number given</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {optOut.data.map((r, i) => (
                <Table.Tr key={i}>
                  <Table.Td>
                    <Text size="sm">{r.phone_number}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={OUTCOME_LABELS[r.outcome].color} variant="light" data-testid="manual-opt-out-outcome">
                      {OUTCOME_LABELS[r.outcome].label}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {r.outcome === 'rejected' ? r.message : OUTCOME_LABELS[r.outcome].explanation}{' '}
                      {r.profile_id && <Link to={`/profiles/${r.profile_id}`}>Open the profile</Link>}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}
