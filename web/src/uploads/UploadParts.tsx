import { Badge, Group as Row, Progress, SimpleGrid, Paper, Text } from '@mantine/core';
import { formatCount, plural } from '../profiles/format';
import type { Upload, UploadCounts } from './types';

export const STATUS: Record<Upload['status'], { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  done: { label: 'Done', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
};

export function UploadStatusBadge({ upload }: { upload: Upload }) {
  const status = STATUS[upload.status];
  return (
    <Badge color={status.color} variant="light" data-testid="upload-status" style={{ minWidth: 'max-content' }}>
      {status.label}
    </Badge>
  );
}

/** How far the whole job is (reading the file, then writing profiles), as the server measures it. */
export function uploadPercent(upload: Upload): number {
  if (upload.status === 'done') return 100;
  return Math.max(0, Math.min(100, Math.floor(upload.progress * 100)));
}

/** What the job is doing now, in words. */
export function phaseText(upload: Upload): string {
  if (upload.status === 'queued') return 'Waiting for a worker…';
  if (upload.phase === 'staging') return `Reading and checking the file: ${plural(upload.rows_done, 'row')} · ${formatCount(Math.round(upload.bytes_done / 1024))} of ${formatCount(Math.round(upload.bytes_total / 1024))} kB`;
  if (upload.phase === 'merging') {
    const written = upload.counts.created + upload.counts.updated + upload.counts.unchanged + upload.counts.rejected;
    return `Writing profiles: ${formatCount(written)} of ${plural(upload.counts.rows, 'row')}`;
  }
  return 'Finishing…';
}

export function UploadProgress({ upload, width }: { upload: Upload; width?: number }) {
  const value = uploadPercent(upload);
  return (
    <Row gap="xs" wrap="nowrap">
      <Progress value={value} w={width} style={width ? undefined : { flex: 1 }} animated={upload.status === 'running'} aria-label={`Progress of ${upload.file_name}`} />
      <Text size="xs" c="dimmed" w={36}>
        {value}%
      </Text>
    </Row>
  );
}

const COUNTS: { key: keyof UploadCounts; label: string; color?: string }[] = [
  { key: 'rows', label: 'Rows' },
  { key: 'created', label: 'Created', color: 'teal' },
  { key: 'updated', label: 'Updated', color: 'blue' },
  { key: 'unchanged', label: 'Unchanged' },
  { key: 'rejected', label: 'Rejected', color: 'red' },
];

/** Where every row ended: created + updated + unchanged + rejected = rows. */
export function UploadCountCards({ counts }: { counts: UploadCounts }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="sm" aria-label="Counts">
      {COUNTS.map(({ key, label, color }) => (
        <Paper key={key} withBorder radius="md" p="sm" data-testid={`count-${key}`}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {label}
          </Text>
          <Text size="xl" fw={700} c={counts[key] && color ? color : undefined} data-testid="count-value">
            {formatCount(counts[key])}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** The counts in one line, for the list of past uploads. */
export function countsLine(counts: UploadCounts): string {
  return `${formatCount(counts.created)} created · ${formatCount(counts.updated)} updated · ${formatCount(counts.unchanged)} unchanged · ${formatCount(counts.rejected)} rejected`;
}

/** Why some rejected rows were rejected although their number was fine. */
export function duplicatesNote(counts: UploadCounts): string | null {
  if (!counts.duplicates) return null;
  return `${plural(counts.duplicates, 'rejected row')} repeated a number that appears again later in the file; the later row was used.`;
}
