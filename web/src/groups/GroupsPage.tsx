import { Anchor, Badge, Button, Group as Row, Pagination, SegmentedControl, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { ListTable } from '../ui/ListTable';
import { formatCount, formatDateTime, plural } from '../profiles/format';
import { useSession } from '../session/session';
import { DeleteGroupButton, RenameGroupButton } from './GroupActions';
import { NewGroupButton } from './NewGroupButton';
import type { Group, GroupKind } from './types';
import { useGroups } from './useGroups';

const PER_PAGE = 50;

export const KIND_LABEL: Record<GroupKind, string> = { uploaded: 'Uploaded', filtered: 'Filtered' };

/** The kind of a group as a small tag. */
export function GroupKindBadge({ kind }: { kind: GroupKind }) {
  return (
    <Badge variant="light" color={kind === 'uploaded' ? 'grape' : 'cyan'} style={{ textTransform: 'none' }}>
      {KIND_LABEL[kind]}
    </Badge>
  );
}

function GroupRow({ group, canWrite }: { group: Group; canWrite: boolean }) {
  return (
    <Table.Tr data-group-id={group.id}>
      <Table.Td>
        <Anchor component={Link} to={`/groups/${group.id}`} fw={600} size="sm">
          {group.name}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <GroupKindBadge kind={group.kind} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" data-testid="member-count">
          {formatCount(group.member_count)}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm" component="time" dateTime={group.created_at}>
          {formatDateTime(group.created_at)}
        </Text>
      </Table.Td>
      <Table.Td>
        {canWrite && (
          <Row gap={4} wrap="nowrap" justify="flex-end">
            <RenameGroupButton group={group} compact />
            <DeleteGroupButton group={group} compact />
          </Row>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Home › Groups: uploaded and filtered groups with their member counts; create, rename, delete. */
export function GroupsPage() {
  const [params, setParams] = useSearchParams();
  const kindParam = params.get('kind');
  const kind: GroupKind | undefined = kindParam === 'uploaded' || kindParam === 'filtered' ? kindParam : undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const groups = useGroups({ page, perPage: PER_PAGE, kind });
  const session = useSession();
  const canWrite = session.data !== undefined && session.data?.role !== 'viewer';
  const result = groups.data;
  const lastPage = result ? Math.max(1, Math.ceil(result.total / PER_PAGE)) : 1;
  const change = (next: { kind?: string; page?: number }) => {
    const search = new URLSearchParams();
    const nextKind = next.kind ?? kind ?? 'all';
    if (nextKind !== 'all') search.set('kind', nextKind);
    const nextPage = next.page ?? 1;
    if (nextPage !== 1) search.set('page', String(nextPage));
    setParams(search);
  };

  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: 'Groups' }]} />
      <Row justify="space-between" align="flex-end" wrap="wrap">
        <Row gap="sm" align="baseline">
          <Title order={2}>Groups</Title>
          {result && (
            <Text c="dimmed" data-testid="group-total">
              {plural(result.total, 'group')}
            </Text>
          )}
        </Row>
        <Row gap="sm">
          <SegmentedControl
            aria-label="Kind"
            value={kind ?? 'all'}
            onChange={(value) => change({ kind: value })}
            data={[
              { value: 'all', label: 'All' },
              { value: 'uploaded', label: 'Uploaded' },
              { value: 'filtered', label: 'Filtered' },
            ]}
          />
          {canWrite && (
            <>
              <Button variant="default" component={Link} to="/uploads" leftSection={<IconUpload size={16} />}>
                Upload a CSV
              </Button>
              <NewGroupButton />
            </>
          )}
        </Row>
      </Row>
      <Text size="sm" c="dimmed">
        Uploaded groups hold the profiles of a CSV upload (or those added to them); filtered groups are a saved search and filters of the{' '}
        <Anchor component={Link} to="/profiles" size="sm">
          Profiles
        </Anchor>{' '}
        table, evaluated whenever they are used.
      </Text>
      <ListTable
        label="Groups"
        query={groups}
        highlightOnHover
        headings={['Name', 'Kind', 'Members', 'Created', <VisuallyHidden key="actions">Actions</VisuallyHidden>]}
        empty={
          result?.data.length !== 0 ? null
            : result.total === 0 ? 'No groups yet: upload a CSV, or save the Profiles table’s search and filters as a group.'
              : `Page ${page} is past the last page.`
        }
        footer={lastPage > 1 && (
          <Row justify="flex-end">
            <Pagination size="sm" total={lastPage} value={Math.min(page, lastPage)} onChange={(next) => change({ page: next })} />
          </Row>
        )}
      >
        {result?.data.map((group) => <GroupRow key={group.id} group={group} canWrite={canWrite} />)}
      </ListTable>
    </Stack>
  );
}
