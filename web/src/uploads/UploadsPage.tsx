import { Alert, Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { ListTable } from '../ui/ListTable';
import { formatCount, formatDateTime } from '../profiles/format';
import { useSession } from '../session/session';
import type { Upload } from './types';
import { UploadForm } from './UploadForm';
import { countsLine, UploadProgress, UploadStatusBadge } from './UploadParts';
import { useUploads } from './useUploads';

function UploadRow({ upload }: { upload: Upload }) {
  const finished = upload.status === 'done' || upload.status === 'failed';
  return (
    <Table.Tr data-upload-id={upload.id}>
      <Table.Td>
        <Anchor component={Link} to={`/uploads/${upload.id}`} fw={600} size="sm">
          {upload.file_name}
        </Anchor>
      </Table.Td>
      <Table.Td>
        {upload.group_id !== null ? (
          <Anchor component={Link} to={`/groups/${upload.group_id}`} size="sm">
            {upload.group_name}
          </Anchor>
        ) : (
          <Text size="sm">{upload.group_name}</Text>
        )}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(upload.created_at)}</Text>
        <Text size="xs" c="dimmed">
          {upload.created_by.label}
        </Text>
      </Table.Td>
      <Table.Td>
        <UploadStatusBadge upload={upload} />
      </Table.Td>
      <Table.Td>
        {upload.status === 'done' ? (
          <Text size="sm">
            {formatCount(upload.counts.rows)} rows: {countsLine(upload.counts)}
          </Text>
        ) : upload.status === 'failed' ? (
          <Text size="xs" c="red">
            {upload.error}
          </Text>
        ) : (
          <UploadProgress upload={upload} width={140} />
        )}
      </Table.Td>
      <Table.Td>
        {finished && upload.rejected_url && upload.counts.rejected > 0 && (
          <Anchor href={upload.rejected_url} download size="sm">
            Rejected rows
          </Anchor>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** The company's uploads, newest first, each with its progress or its counts. */
function PastUploads() {
  const uploads = useUploads();
  return (
    <>
      <Title order={3}>Past uploads</Title>
      <ListTable
        label="Uploads"
        query={uploads}
        headings={['File', 'Group', 'When', 'Status', 'Rows', 'Report']}
        empty={uploads.data?.length === 0 ? 'No uploads yet.' : null}
      >
        {uploads.data?.map((upload) => <UploadRow key={upload.id} upload={upload} />)}
      </ListTable>
    </>
  );
}

/** Home › Upload: upload a CSV into a group, and the uploads so far (editors and admins: uploads repeat personal data). */
export function UploadsPage() {
  const session = useSession();
  const viewer = session.data?.role === 'viewer';
  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: 'Upload' }]} />
      <Title order={2}>Upload a CSV</Title>
      <Text size="sm" c="dimmed">
        New numbers become profiles with First seen type “Uploaded group” and the group as their source; numbers already here get the file’s
        non-empty values, never a change to their first-seen data or an opt-out. Every row is counted: created, updated, unchanged or rejected.
      </Text>
      {viewer ? (
        <Alert color="yellow">Uploads need the editor role.</Alert>
      ) : (
        <>
          <UploadForm />
          <PastUploads />
        </>
      )}
    </Stack>
  );
}
