import { Alert, Button, Group as Row, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFilterEdit, IconPencil, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { plural } from '../profiles/format';
import { FilterDraftFields, useFilterDraft } from './FilterDraft';
import type { Group } from './types';
import { useDeleteGroup, useUpdateGroup } from './useGroups';

/**
 * Splits a failed save into the problem with the group's name, worded for its field ("Group name must not be
 * empty …"), and any other problem (shown above the buttons). The API calls the name `name`, or `group_name` in uploads.
 */
export function saveProblems(error: Error | null, field = 'name'): { name?: string; other?: string } {
  if (!error) return {};
  const problem = error instanceof ApiError ? error.fieldProblems.find((p) => p.field === field) : undefined;
  return problem ? { name: `Group name ${problem.message}` } : { other: error.message };
}

/** Rename: a small form in a modal; the name is checked by the server (blank, too long, taken). */
export function RenameGroupButton({ group, compact = false }: { group: Group; compact?: boolean }) {
  const [opened, modal] = useDisclosure(false);
  const [name, setName] = useState(group.name);
  const update = useUpdateGroup(group.id);
  const problems = saveProblems(update.error);
  const open = () => {
    setName(group.name);
    update.reset();
    modal.open();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ name: name.trim() }, { onSuccess: modal.close });
  };
  return (
    <>
      <Button
        variant={compact ? 'subtle' : 'default'}
        size={compact ? 'xs' : 'sm'}
        leftSection={<IconPencil size={14} />}
        onClick={open}
        aria-label={compact ? `Rename ${group.name}` : undefined}
      >
        Rename
      </Button>
      <Modal opened={opened} onClose={modal.close} title="Rename group">
        <form onSubmit={submit}>
          <Stack>
            <TextInput label="Group name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problems.name} data-autofocus required />
            {problems.other && <Alert color="red">{problems.other}</Alert>}
            <Row justify="flex-end">
              <Button variant="default" onClick={modal.close}>
                Cancel
              </Button>
              <Button type="submit" loading={update.isPending} disabled={!name.trim()}>
                Save name
              </Button>
            </Row>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** Delete after a confirmation that says what goes (the group) and what stays (its profiles). */
export function DeleteGroupButton({ group, compact = false, onDeleted }: { group: Group; compact?: boolean; onDeleted?: () => void }) {
  const [opened, modal] = useDisclosure(false);
  const remove = useDeleteGroup();
  return (
    <>
      <Button
        color="red"
        variant={compact ? 'subtle' : 'light'}
        size={compact ? 'xs' : 'sm'}
        leftSection={<IconTrash size={14} />}
        onClick={() => {
          remove.reset();
          modal.open();
        }}
        aria-label={compact ? `Delete ${group.name}` : undefined}
      >
        Delete
      </Button>
      <Modal opened={opened} onClose={modal.close} title={`Delete the group “${group.name}”?`}>
        <Stack>
          <Text size="sm">
            {group.kind === 'uploaded'
              ? `The group and its list of ${plural(group.member_count, 'member')} are deleted. The profiles themselves stay, with their first-seen data.`
              : 'The saved search and filters are deleted. No profile changes.'}
          </Text>
          {remove.error && <Alert color="red">{remove.error.message}</Alert>}
          <Row justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(group.id, {
                  onSuccess: () => {
                    modal.close();
                    onDeleted?.();
                  },
                })
              }
            >
              Delete group
            </Button>
          </Row>
        </Stack>
      </Modal>
    </>
  );
}

/** A filtered group's saved search and filters, changed in the Filters pane; its members follow at once. */
export function EditFilterButton({ group }: { group: Group }) {
  const [opened, modal] = useDisclosure(false);
  const draft = useFilterDraft();
  const update = useUpdateGroup(group.id);
  const open = () => {
    draft.reset(group.filter);
    update.reset();
    modal.open();
  };
  return (
    <>
      <Button variant="default" leftSection={<IconFilterEdit size={16} />} onClick={open}>
        Edit filter
      </Button>
      <Modal opened={opened && !draft.drawerOpened} onClose={modal.close} title="Edit the saved filter" size="lg">
        <Stack>
          <FilterDraftFields draft={draft} />
          {update.error && <Alert color="red">{update.error.message}</Alert>}
          <Row justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button loading={update.isPending} onClick={() => update.mutate({ filter: draft.filter }, { onSuccess: modal.close })}>
              Save filter
            </Button>
          </Row>
        </Stack>
      </Modal>
      {draft.drawer}
    </>
  );
}
