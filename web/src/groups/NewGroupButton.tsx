import { Alert, Button, Group as Row, List, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useCompanySettings, useCustomFields } from '../api/queries';
import { FiltersDrawer } from '../profiles/FiltersDrawer';
import { NO_FILTERS, type ProfileFilters } from '../profiles/listState';
import { saveProblems } from './GroupActions';
import { describeGroupFilter, groupFilterFor, listStateOfFilter } from './groupFilter';
import type { GroupKind } from './types';
import { useCreateGroup } from './useGroups';

/**
 * Groups › New group: a filtered group is a search and filters of the Profiles table (chosen in the
 * same Filters pane); an uploaded group starts empty and fills from a CSV upload or added profiles.
 */
export function NewGroupButton() {
  const [opened, modal] = useDisclosure(false);
  const [filtersOpened, filtersPane] = useDisclosure(false);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<GroupKind>('filtered');
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<ProfileFilters>(NO_FILTERS);
  const create = useCreateGroup();
  const customFields = useCustomFields();
  const company = useCompanySettings();
  const navigate = useNavigate();
  const fields = customFields.data ?? [];
  const filter = groupFilterFor({ ...listStateOfFilter(null), ...filters, search: search.trim() });
  const lines = describeGroupFilter(filter, fields);
  const problems = saveProblems(create.error);

  const open = () => {
    setName('');
    setKind('filtered');
    setSearch('');
    setFilters(NO_FILTERS);
    create.reset();
    modal.open();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(kind === 'filtered' ? { name: name.trim(), kind, filter } : { name: name.trim(), kind }, {
      onSuccess: (group) => void navigate(`/groups/${group.id}`),
    });
  };

  return (
    <>
      <Button leftSection={<IconPlus size={16} />} onClick={open}>
        New group
      </Button>
      <Modal opened={opened && !filtersOpened} onClose={modal.close} title="New group" size="lg">
        <form onSubmit={submit}>
          <Stack>
            <TextInput label="Group name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={problems.name} data-autofocus required />
            <Radio.Group label="Kind" value={kind} onChange={(value) => setKind(value as GroupKind)}>
              <Stack gap={6} mt={6}>
                <Radio value="filtered" label="Filtered — a saved search and filters; its members are whoever matches when it is used" />
                <Radio value="uploaded" label="Uploaded — a fixed list of profiles, filled by a CSV upload or by adding profiles" />
              </Stack>
            </Radio.Group>
            {kind === 'filtered' && (
              <Stack gap="xs">
                <TextInput label="Search" description="Name, email or phone number; leave empty for none" value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
                <Row gap="sm">
                  <Button variant="default" leftSection={<IconAdjustmentsHorizontal size={16} />} onClick={filtersPane.open}>
                    Choose filters
                  </Button>
                  {lines.length === 0 && (
                    <Text size="sm" c="dimmed">
                      No search or filters: every profile.
                    </Text>
                  )}
                </Row>
                {lines.length > 0 && (
                  <List size="sm" aria-label="Saved filter">
                    {lines.map((line) => (
                      <List.Item key={line}>{line}</List.Item>
                    ))}
                  </List>
                )}
              </Stack>
            )}
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
      <FiltersDrawer
        opened={filtersOpened}
        applied={filters}
        fields={fields}
        genderOptions={company.data?.gender_options ?? []}
        onApply={(next) => {
          setFilters(next);
          filtersPane.close();
        }}
        onClose={filtersPane.close}
      />
    </>
  );
}
