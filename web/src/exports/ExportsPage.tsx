import { Alert, Anchor, Badge, Breadcrumbs, Button, Group, Progress, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconDownload, IconTrash } from '@tabler/icons-react';
import { Link, useLocation } from 'react-router';
import { formatCount, formatDateTime } from '../profiles/format';
import { useSession } from '../session/session';
import { ListTable } from '../ui/ListTable';
import { type ProfileExport, useDeleteExport, useExports } from './useExports';

const STATUS: Record<ProfileExport['status'], { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  done: { label: 'Done', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  expired: { label: 'Expired', color: 'gray' },
};

function percent(e: ProfileExport): number {
  if (e.status === 'done') return 100;
  if (!e.progress_total) return 0;
  return Math.min(100, Math.floor((e.progress / e.progress_total) * 100));
}

function NameCell({ e }: { e: ProfileExport }) {
  return (
    <Stack gap={2}>
      {e.download_url ? (
        <Anchor href={e.download_url} download fw={600} size="sm">
          <Group gap={4} wrap="nowrap" component="span">
            <IconDownload size={14} aria-hidden />
            {e.name}
          </Group>
        </Anchor>
      ) : (
        <Text size="sm" fw={600}>
          {e.name}
        </Text>
      )}
      {e.status === 'done' && e.expires_at && (
        <Text size="xs" c="dimmed">
          Kept until {formatDateTime(e.expires_at)}
        </Text>
      )}
    </Stack>
  );
}

function ProgressCell({ e }: { e: ProfileExport }) {
  const value = percent(e);
  if (e.status === 'failed' || e.status === 'expired') return null;
  return (
    <Group gap="xs" wrap="nowrap">
      <Progress value={value} w={120} animated={e.status === 'running'} aria-label={`Progress of ${e.name}`} />
      <Text size="xs" c="dimmed" w={36}>
        {value}%
      </Text>
    </Group>
  );
}

function ExportRow({ e, highlighted }: { e: ProfileExport; highlighted: boolean }) {
  const remove = useDeleteExport();
  const status = STATUS[e.status];
  return (
    <Table.Tr data-export-id={e.id} bg={highlighted ? 'var(--mantine-color-indigo-light)' : undefined}>
      <Table.Td>
        <NameCell e={e} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{e.created_by.label}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(e.created_at)}</Text>
      </Table.Td>
      <Table.Td>
        <Badge color={status.color} variant="light" data-testid="export-status" style={{ minWidth: 'max-content' }}>
          {status.label}
        </Badge>
      </Table.Td>
      <Table.Td>
        <ProgressCell e={e} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" data-testid="export-rows">
          {e.row_count !== null ? formatCount(e.row_count) : e.progress_total !== null ? `${formatCount(e.progress)} of ${formatCount(e.progress_total)}` : ''}
        </Text>
      </Table.Td>
      <Table.Td maw={320}>
        {e.error && (
          <Text size="xs" c={e.status === 'failed' ? 'red' : 'orange'} data-testid="export-error">
            {e.error}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Button variant="subtle" color="gray" size="xs" leftSection={<IconTrash size={14} />} loading={remove.isPending} onClick={() => remove.mutate(e.id)} aria-label={`Delete ${e.name}`}>
          Delete
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

/** Home › Reports › Exports: every Save as CSV, its progress while it is written, and its file when done. */
export function ExportsPage() {
  const session = useSession();
  const viewer = session.data?.role === 'viewer';
  const exports = useExports(!viewer);
  const location = useLocation();
  const createdId = (location.state as { createdExportId?: number } | null)?.createdExportId;
  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Text size="sm" c="dimmed">
          Reports
        </Text>
        <Text size="sm">Exports</Text>
      </Breadcrumbs>
      <Title order={2}>Exports</Title>
      <Text size="sm" c="dimmed">
        Save as CSV on the{' '}
        <Anchor component={Link} to="/profiles" size="sm">
          Profiles
        </Anchor>{' '}
        table exports the profiles it shows. Files are written in the background: you can leave this page and come back.
      </Text>
      {viewer && <Alert color="yellow">Exports need the editor role.</Alert>}
      {!viewer && (
        <ListTable
          label="Exports"
          query={exports}
          headings={['Name', 'Who', 'When', 'Status', 'Progress', 'Rows', 'Error', <VisuallyHidden key="actions">Actions</VisuallyHidden>]}
          empty={exports.data?.length === 0 ? 'No exports yet.' : null}
        >
          {exports.data?.map((e) => <ExportRow key={e.id} e={e} highlighted={e.id === createdId} />)}
        </ListTable>
      )}
    </Stack>
  );
}
