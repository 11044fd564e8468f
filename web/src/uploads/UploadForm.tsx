import { Alert, Badge, Button, FileInput, Group as Row, List, Paper, ScrollArea, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconFileTypeCsv, IconUpload } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { saveProblems } from '../groups/GroupActions';
import { plural } from '../profiles/format';
import { delimiterName, encodingName, groupNameOfFile, mappingProblems, proposedMapping } from './mapping';
import type { UploadMapping, UploadPreview } from './types';
import { usePreviewUpload, useStartUpload } from './useUploads';

const SKIP = '__skip__';
const PREVIEW_ROWS = 10;

/** One Select per column under its header: a standard or custom field, or Skip. */
function MappingTable({ preview, mapping, onChange }: { preview: UploadPreview; mapping: UploadMapping; onChange: (mapping: UploadMapping) => void }) {
  const options = [{ value: SKIP, label: 'Skip this column' }, ...preview.fields.map((f) => ({ value: f.key, label: f.label }))];
  return (
    <ScrollArea type="auto" offsetScrollbars>
      <Table withColumnBorders withTableBorder verticalSpacing={6} aria-label="Preview" style={{ minWidth: preview.columns.length * 170 }}>
        <Table.Thead>
          <Table.Tr>
            {preview.columns.map((column) => (
              <Table.Th key={column.index} style={{ whiteSpace: 'nowrap' }}>
                {column.header || <Text c="dimmed" span size="sm">(no header)</Text>}
              </Table.Th>
            ))}
          </Table.Tr>
          <Table.Tr>
            {preview.columns.map((column) => {
              const field = mapping[column.header] ?? null;
              return (
                <Table.Th key={column.index} miw={160}>
                  <Select
                    size="xs"
                    aria-label={`Field for column ${column.header}`}
                    data={options}
                    value={field ?? SKIP}
                    allowDeselect={false}
                    searchable
                    onChange={(value) => onChange({ ...mapping, [column.header]: value === SKIP || value === null ? null : value })}
                    styles={field === null ? { input: { color: 'var(--mantine-color-dimmed)', fontStyle: 'italic' } } : undefined}
                  />
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.rows.slice(0, PREVIEW_ROWS).map((row, r) => (
            <Table.Tr key={r}>
              {preview.columns.map((column) => (
                <Table.Td key={column.index} c={mapping[column.header] === null ? 'dimmed' : undefined} style={{ whiteSpace: 'nowrap', maxWidth: 260, overflow: 'hidden', textOverflow: 'ellipsis' }}>
                  {row[column.index] ?? ''}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

/**
 * Upload a CSV (SPEC §7): choose a file and the group's name; the server reads the file's start and
 * proposes a field for each column by its name; the person confirms or changes that (or skips
 * columns) and starts the upload, which runs in the background.
 */
export function UploadForm() {
  const [file, setFile] = useState<File | null>(null);
  // A group's page links here with its name (?group=…), to upload more rows into it.
  const [params] = useSearchParams();
  const [groupName, setGroupName] = useState(params.get('group') ?? '');
  const [nameTouched, setNameTouched] = useState(params.has('group'));
  const [mapping, setMapping] = useState<UploadMapping>({});
  const [showProblems, setShowProblems] = useState(false);
  const preview = usePreviewUpload();
  const start = useStartUpload();
  const navigate = useNavigate();

  const chooseFile = (chosen: File | null) => {
    setFile(chosen);
    setMapping({});
    setShowProblems(false);
    start.reset();
    preview.reset();
    if (!chosen) return;
    if (!nameTouched) setGroupName(groupNameOfFile(chosen.name));
    preview.mutate(chosen, { onSuccess: (answer) => setMapping(proposedMapping(answer.columns)) });
  };

  const problems = preview.data ? mappingProblems(mapping, preview.data.fields) : [];
  const startProblems = saveProblems(start.error, 'group_name');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file || !preview.data) return;
    if (problems.length || !groupName.trim()) return setShowProblems(true);
    start.mutate({ file, groupName: groupName.trim(), mapping }, { onSuccess: (upload) => void navigate(`/uploads/${upload.id}`) });
  };

  return (
    <form onSubmit={submit}>
      <Paper withBorder radius="md" p="md">
        <Stack gap="md">
          <Row align="flex-start" gap="md" wrap="wrap">
            <FileInput
              label="CSV file"
              description="A header row, and a column of phone numbers"
              placeholder="Choose a file"
              accept=".csv,.txt,.tsv,text/csv,text/plain"
              leftSection={<IconFileTypeCsv size={16} />}
              value={file}
              onChange={chooseFile}
              clearable
              w={340}
            />
            <TextInput
              label="Group name"
              description="The uploaded group the rows join (new or existing)"
              value={groupName}
              onChange={(e) => {
                setNameTouched(true);
                setGroupName(e.currentTarget.value);
              }}
              error={startProblems.name ?? (showProblems && !groupName.trim() ? 'Enter a group name' : undefined)}
              w={340}
            />
          </Row>

          {preview.isPending && <Text size="sm" c="dimmed">Reading the start of the file…</Text>}
          {preview.error && (
            <Alert color="red" title="This file cannot be uploaded">
              {preview.error.message}
            </Alert>
          )}

          {preview.data && (
            <Stack gap="sm">
              <Row gap="xs">
                <Title order={4}>Preview and mapping</Title>
                <Badge variant="light" data-testid="preview-encoding" style={{ textTransform: 'none' }}>
                  {encodingName(preview.data.encoding)}
                </Badge>
                <Badge variant="light" color="gray" data-testid="preview-delimiter" style={{ textTransform: 'none' }}>
                  {delimiterName(preview.data.delimiter)}-separated
                </Badge>
                <Text size="sm" c="dimmed">
                  {plural(preview.data.columns.length, 'column')} · first {plural(Math.min(preview.data.rows.length, PREVIEW_ROWS), 'row')}
                </Text>
              </Row>
              <Text size="sm" c="dimmed">
                Each column goes to the field chosen under its header. Empty cells never erase what a profile already has. The phone column is required.
              </Text>
              <MappingTable preview={preview.data} mapping={mapping} onChange={setMapping} />
              {problems.length > 0 && (
                <Alert color="orange" title="Check the mapping">
                  <List size="sm">
                    {problems.map((problem) => (
                      <List.Item key={problem}>{problem}</List.Item>
                    ))}
                  </List>
                </Alert>
              )}
              {startProblems.other && (
                <Alert color="red" title="The upload did not start">
                  {startProblems.other}
                </Alert>
              )}
              <Row justify="flex-end" gap="sm">
                {start.isPending && (
                  <Text size="sm" c="dimmed">
                    Sending {file ? plural(Math.ceil(file.size / 1024), 'kB', 'kB') : 'the file'}…
                  </Text>
                )}
                <Button type="submit" leftSection={<IconUpload size={16} />} loading={start.isPending} disabled={problems.length > 0}>
                  Start upload
                </Button>
              </Row>
            </Stack>
          )}
        </Stack>
      </Paper>
    </form>
  );
}
