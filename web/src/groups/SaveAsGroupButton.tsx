import { Alert, Button, Group as Row, List, Modal, SegmentedControl, Select, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconUsersGroup } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useCustomFields } from '../api/queries';
import { plural } from '../profiles/format';
import type { ProfileListState } from '../profiles/listState';
import { useSession } from '../session/session';
import { saveProblems } from './GroupActions';
import { describeGroupFilter, groupFilterFor } from './groupFilter';
import { useAddMembers, useCreateGroup, useGroups } from './useGroups';

type Mode = 'filtered' | 'add';

interface SaveAsGroupProps {
  state: ProfileListState;
  /** The profiles on the page shown, for adding them to an uploaded group. */
  profileIds: number[];
}

/**
 * Save as group (SPEC §7): the table's search and filters become a filtered group, evaluated
 * whenever it is used — or the profiles on the page shown join an uploaded group.
 */
export function SaveAsGroupButton({ state, profileIds }: SaveAsGroupProps) {
  const session = useSession();
  const [opened, modal] = useDisclosure(false);
  if (session.data?.role === 'viewer') {
    return (
      <Tooltip label="Groups need the editor role">
        <Button variant="default" leftSection={<IconUsersGroup size={16} />} disabled>
          Save as group
        </Button>
      </Tooltip>
    );
  }
  return (
    <>
      <Button variant="default" leftSection={<IconUsersGroup size={16} />} onClick={modal.open}>
        Save as group
      </Button>
      <Modal opened={opened} onClose={modal.close} title="Save as group" size="lg">
        {/* Mounted afresh on each opening so the form starts empty. */}
        {opened && <SaveAsGroupForm state={state} profileIds={profileIds} onDone={modal.close} />}
      </Modal>
    </>
  );
}

function SaveAsGroupForm({ state, profileIds, onDone }: SaveAsGroupProps & { onDone: () => void }) {
  const [mode, setMode] = useState<Mode>('filtered');
  return (
    <Stack>
      <SegmentedControl
        value={mode}
        onChange={(value) => setMode(value as Mode)}
        data={[
          { value: 'filtered', label: 'New filtered group' },
          { value: 'add', label: 'Add this page to an uploaded group' },
        ]}
      />
      {mode === 'filtered' ? <NewFilteredGroupForm state={state} onCancel={onDone} /> : <AddToGroupForm profileIds={profileIds} onCancel={onDone} onDone={onDone} />}
    </Stack>
  );
}

function NewFilteredGroupForm({ state, onCancel }: { state: ProfileListState; onCancel: () => void }) {
  const [name, setName] = useState('');
  const create = useCreateGroup();
  const customFields = useCustomFields();
  const navigate = useNavigate();
  const filter = groupFilterFor(state);
  const lines = describeGroupFilter(filter, customFields.data ?? []);
  const problems = saveProblems(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), kind: 'filtered', filter }, { onSuccess: (group) => void navigate(`/groups/${group.id}`) });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Group name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problems.name} data-autofocus required />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Saved filter
          </Text>
          {lines.length ? (
            <List size="sm" aria-label="Saved filter">
              {lines.map((line) => (
                <List.Item key={line}>{line}</List.Item>
              ))}
            </List>
          ) : (
            <Text size="sm" c="dimmed">
              No search or filters are on: the group will hold every profile.
            </Text>
          )}
          <Text size="xs" c="dimmed">
            The group is evaluated whenever it is used, so profiles that match later join it.
          </Text>
        </Stack>
        {state.groupId !== null && (
          <Alert color="yellow">The table is scoped to a group; the new group saves only the search and filters, not that scope.</Alert>
        )}
        {problems.other && <Alert color="red">{problems.other}</Alert>}
        <Row justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Save group
          </Button>
        </Row>
      </Stack>
    </form>
  );
}

function AddToGroupForm({ profileIds, onCancel, onDone }: { profileIds: number[]; onCancel: () => void; onDone: () => void }) {
  const groups = useGroups({ page: 1, perPage: 100, kind: 'uploaded' });
  const [groupId, setGroupId] = useState<string | null>(null);
  const add = useAddMembers();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (groupId) add.mutate({ groupId: Number(groupId), profileIds });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <Select
          label="Uploaded group"
          placeholder={groups.isPending ? 'Loading…' : 'Choose a group'}
          searchable
          data={(groups.data?.data ?? []).map((g) => ({ value: String(g.id), label: g.name }))}
          value={groupId}
          onChange={setGroupId}
          nothingFoundMessage="No uploaded group has that name"
        />
        <Text size="sm">Adds the {plural(profileIds.length, 'profile')} on the page shown; profiles already in the group stay once.</Text>
        {add.error && <Alert color="red">{add.error.message}</Alert>}
        {add.data && (
          <Alert color="teal" data-testid="members-added">
            {plural(add.data.added, 'profile')} added.
          </Alert>
        )}
        <Row justify="flex-end">
          <Button variant="default" onClick={add.data ? onDone : onCancel}>
            {add.data ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" loading={add.isPending} disabled={!groupId || profileIds.length === 0}>
            Add {plural(profileIds.length, 'profile')}
          </Button>
        </Row>
      </Stack>
    </form>
  );
}
