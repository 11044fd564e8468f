import { Alert, Button, Group, Loader, Pagination, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { formatDateTime, plural } from '../profiles/format';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import { useAddToBlacklist, useBlacklist, useRemoveFromBlacklist } from './useOptOuts';

const PER_PAGE = 50;

function AddForm() {
  const [number, setNumber] = useState('');
  const [note, setNote] = useState('');
  const add = useAddToBlacklist();
  const problems = add.error instanceof ApiError ? add.error.fieldProblems : [];
  const errorFor = (field: string) => problems.filter((p) => p.field === field).map((p) => p.message).join('; ') || undefined;
  const [added, setAdded] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    add.mutate(
      { phone_number: number, note: note.trim() === '' ? null : note },
      {
        onSuccess: (result) => {
          setAdded(result.profile_id ? `${number} is blacklisted; its profile is opted out as Blacklisted.` : `${number} is blacklisted.`);
          setNumber('');
          setNote('');
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Add to the blacklist" noValidate>
      <Stack gap="xs">
        {add.error && problems.length === 0 && <Alert color="red">{add.error.message}</Alert>}
        {added && (
          <Alert color="teal" withCloseButton onClose={() => setAdded(null)}>
            {added}
          </Alert>
        )}
        <Group align="flex-start" gap="sm">
          <TextInput label="Phone number" placeholder="(202) 555-0143" value={number} onChange={(e) => setNumber(e.currentTarget.value)} error={errorFor('phone_number')} w={220} />
          <TextInput label="Note" placeholder="Why" value={note} onChange={(e) => setNote(e.currentTarget.value)} error={errorFor('note')} style={{ flex: 1 }} />
          <Button type="submit" mt={24} leftSection={<IconPlus size={16} />} loading={add.isPending} disabled={!number.trim()}>
            Add to blacklist
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The company's blacklist: numbers never texted, newest first; admins add and remove them. */
export function BlacklistSection({ isAdmin, homeCountry }: { isAdmin: boolean; homeCountry: string }) {
  const [page, setPage] = useState(1);
  const blacklist = useBlacklist(page, PER_PAGE);
  const remove = useRemoveFromBlacklist();
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        A blacklisted number is never texted; its profile, now or when it is created, reads “Undeliverable - Blacklisted”. Taking a number off
        opts its profile in again if that was the only reason.
      </Text>
      {isAdmin ? <AddForm /> : <Alert color="gray">Only admins can change the blacklist.</Alert>}
      {remove.error && <Alert color="red">{remove.error.message}</Alert>}
      {blacklist.error && <Alert color="red">{blacklist.error.message}</Alert>}
      {blacklist.isPending && <Loader size="sm" aria-label="Loading the blacklist" />}
      {blacklist.data && (
        <>
          <Text size="sm" c="dimmed" data-testid="blacklist-total">
            {plural(blacklist.data.total, 'number')}
          </Text>
          <Table aria-label="Blacklist" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Number</Table.Th>
                <Table.Th>Note</Table.Th>
                <Table.Th>Added by</Table.Th>
                <Table.Th>When</Table.Th>
                {isAdmin && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {blacklist.data.data.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {formatPhoneNumber(entry.phone_number, homeCountry)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{entry.note}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{entry.created_by}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(entry.created_at)}</Text>
                  </Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      <Button
                        variant="subtle"
                        color="red"
                        size="xs"
                        leftSection={<IconTrash size={14} />}
                        loading={remove.isPending && remove.variables === entry.id}
                        onClick={() => remove.mutate(entry.id)}
                        aria-label={`Remove ${formatPhoneNumber(entry.phone_number, homeCountry)}`}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {blacklist.data.total > PER_PAGE && <Pagination total={Math.ceil(blacklist.data.total / PER_PAGE)} value={page} onChange={setPage} />}
        </>
      )}
    </Stack>
  );
}
