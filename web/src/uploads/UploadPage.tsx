import { Alert, Anchor, Button, Center, Group as Row, List, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDownload, IconUsersGroup } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { formatDateTime } from '../profiles/format';
import { delimiterName, encodingName, fieldKeyLabel } from './mapping';
import { duplicatesNote, phaseText, UploadCountCards, UploadProgress, UploadStatusBadge } from './UploadParts';
import { useUpload } from './useUploads';

/** Home › Upload › a file: the job's live progress, then where every row ended and the report of rejected rows. */
export function UploadPage() {
  const idParam = useParams().id;
  const id = Number(idParam);
  const valid = Number.isSafeInteger(id) && id > 0;
  const upload = useUpload(valid ? id : null);
  const u = upload.data;

  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: 'Upload', to: '/uploads' }, { label: u?.file_name ?? `Upload #${idParam}` }]} />
      {(!valid || upload.error) && (
        <Alert color="red" title="No such upload">
          {upload.error?.message ?? 'That is not an upload’s address.'}{' '}
          <Anchor component={Link} to="/uploads">
            Back to Upload
          </Anchor>
        </Alert>
      )}
      {valid && !u && !upload.error && (
        <Center py="xl">
          <Loader aria-label="Loading upload" />
        </Center>
      )}
      {u && (
        <>
          <Row gap="sm" align="center">
            <Title order={2}>{u.file_name}</Title>
            <UploadStatusBadge upload={u} />
          </Row>
          <Text size="sm" c="dimmed">
            Into the group{' '}
            {u.group_id !== null ? (
              <Anchor component={Link} to={`/groups/${u.group_id}`} size="sm">
                {u.group_name}
              </Anchor>
            ) : (
              u.group_name
            )}{' '}
            · by {u.created_by.label} · started {formatDateTime(u.created_at)}
            {u.finished_at && ` · finished ${formatDateTime(u.finished_at)}`}
          </Text>

          {(u.status === 'queued' || u.status === 'running') && (
            <Paper withBorder radius="md" p="md">
              <Stack gap="xs">
                <UploadProgress upload={u} />
                <Text size="sm" c="dimmed" data-testid="upload-phase" aria-live="polite">
                  {phaseText(u)}
                </Text>
                <Text size="xs" c="dimmed">
                  You can leave this page: the upload goes on, and Home › Upload lists it.
                </Text>
              </Stack>
            </Paper>
          )}

          {u.status === 'failed' && (
            <Alert color="red" title="The upload failed" data-testid="upload-error">
              {u.error}
            </Alert>
          )}

          {u.status === 'done' && (
            <Stack gap="sm">
              <UploadProgress upload={u} />
              <UploadCountCards counts={u.counts} />
              <Row gap="sm">
                {u.group_id !== null && (
                  <Button component={Link} to={`/groups/${u.group_id}`} leftSection={<IconUsersGroup size={16} />}>
                    Open the group “{u.group_name}”
                  </Button>
                )}
                {u.rejected_url && u.counts.rejected > 0 && (
                  <Button component="a" href={u.rejected_url} download variant="default" leftSection={<IconDownload size={16} />}>
                    Download rejected rows
                  </Button>
                )}
              </Row>
              {duplicatesNote(u.counts) && (
                <Text size="sm" data-testid="duplicates-note">
                  {duplicatesNote(u.counts)}
                </Text>
              )}
              {u.counts.rejected > 0 && (
                <Text size="sm" c="dimmed">
                  The report lists each rejected row with its row number, the column, the value and the reason.
                </Text>
              )}
            </Stack>
          )}

          {u.mapping && (
            <Paper withBorder radius="md" p="sm">
              <Text size="sm" fw={600} mb={4}>
                Mapping
                {u.encoding && u.delimiter && (
                  <Text span size="sm" c="dimmed" fw={400}>
                    {' '}
                    · read as {encodingName(u.encoding)}, {delimiterName(u.delimiter)}-separated
                  </Text>
                )}
              </Text>
              <List size="sm" data-testid="upload-mapping">
                {Object.entries(u.mapping).map(([header, field]) => (
                  <List.Item key={header}>
                    {header} → {field ? fieldKeyLabel(field) : <Text span c="dimmed" size="sm">skipped</Text>}
                  </List.Item>
                ))}
              </List>
            </Paper>
          )}
        </>
      )}
    </Stack>
  );
}
