import { Alert, Button, Group as Row, Modal, Radio, Stack, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { FilterDraftFields, useFilterDraft } from './FilterDraft';
import { saveProblems } from './GroupActions';
import type { GroupKind } from './types';
import { useCreateGroup } from './useGroups';

/**
 * Groups › New group: a filtered group is a search and filters of the Profiles table (chosen in the
 * same Filters pane); an uploaded group starts empty and fills from a CSV upload or added profiles.
 */
export function NewGroupButton() {
  const [opened, modal] = useDisclosure(false);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<GroupKind>('filtered');
  const draft = useFilterDraft();
  const create = useCreateGroup();
  const navigate = useNavigate();
  const problems = saveProblems(create.error);

  const open = () => {
    setName('');
    setKind('filtered');
    draft.reset(null);
    create.reset();
    modal.open();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(kind === 'filtered' ? { name: name.trim(), kind, filter: draft.filter } : { name: name.trim(), kind }, {
      onSuccess: (group) => void navigate(`/groups/${group.id}`),
    });
  };

  return (
    <>
      <Button leftSection={<IconPlus size={16} />} onClick={open}>
        New group
      </Button>
      <Modal opened={opened && !draft.drawerOpened} onClose={modal.close} title="New group" size="lg">
        <form onSubmit={submit}>
          <Stack>
            <TextInput label="Group name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problems.name} data-autofocus required />
            <Radio.Group label="Kind" value={kind} onChange={(value) => setKind(value as GroupKind)}>
              <Stack gap={6} mt={6}>
                <Radio value="filtered" label="Filtered — a saved search and filters; its members are whoever matches when it is used" />
                <Radio value="uploaded" label="Uploaded — a fixed list of profiles, filled by a CSV upload or by adding profiles" />
              </Stack>
            </Radio.Group>
            {kind === 'filtered' && <FilterDraftFields draft={draft} />}
            {problems.other && <Alert color="red">{problems.other}</Alert>}
            <Row justify="flex-end">
              <Button variant="default" onClick={modal.close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                Create group
              </Button>
            </Row>
          </Stack>
        </form>
      </Modal>
      {draft.drawer}
    </>
  );
}
