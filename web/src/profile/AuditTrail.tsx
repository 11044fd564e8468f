import { Alert, Loader, Stack, Table, Text } from '@mantine/core';
import { formatDateTime } from '../profiles/format';
import { fieldLabel } from './fieldLabels';
import { useProfileAudit } from './useProfile';

function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** "profile.updated" → "Updated". */
function actionLabel(action: string): string {
  const verb = action.split('.').pop() ?? action;
  return verb.charAt(0).toUpperCase() + verb.slice(1).replace(/_/g, ' ');
}

/** Flattens custom field changes so each one reads like a standard field. */
function changeLines(changes: Record<string, { before: unknown; after: unknown }>): Array<{ field: string; before: unknown; after: unknown }> {
  const lines: Array<{ field: string; before: unknown; after: unknown }> = [];
  for (const [field, change] of Object.entries(changes)) {
    const { before, after } = change;
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (field === 'custom_fields' && (isObject(before) || isObject(after))) {
      const b = isObject(before) ? before : {};
      const a = isObject(after) ? after : {};
      for (const name of new Set([...Object.keys(b), ...Object.keys(a)])) lines.push({ field: name, before: b[name], after: a[name] });
    } else {
      lines.push({ field: fieldLabel(field), before, after });
    }
  }
  return lines;
}

/** Every recorded change to the profile, newest first: who, when, what, before and after. */
export function AuditTrail({ profileId }: { profileId: number }) {
  const audit = useProfileAudit(profileId);
  if (audit.isPending) return <Loader size="sm" aria-label="Loading the audit trail" />;
  if (audit.error) return <Alert color="red">{audit.error.message}</Alert>;
  if (audit.data.length === 0) return <Text c="dimmed">No changes recorded.</Text>;
  return (
    <Table aria-label="Audit trail" verticalSpacing="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Who</Table.Th>
          <Table.Th>What</Table.Th>
          <Table.Th>Changes</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {audit.data.map((entry) => (
          <Table.Tr key={entry.id}>
            <Table.Td>
              <Text size="sm">{formatDateTime(entry.created_at)}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{entry.actor.label}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{actionLabel(entry.action)}</Text>
            </Table.Td>
            <Table.Td>
              <Stack gap={2}>
                {changeLines(entry.changes).map((line) => (
                  <Text size="sm" key={line.field}>
                    <b>{line.field}</b>: {showValue(line.before)} → {showValue(line.after)}
                  </Text>
                ))}
              </Stack>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
