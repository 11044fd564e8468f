import { Button, Group as Row, List, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAdjustmentsHorizontal } from '@tabler/icons-react';
import { useState } from 'react';
import { useCompanySettings, useCustomFields } from '../api/queries';
import { FiltersDrawer } from '../profiles/FiltersDrawer';
import { NO_FILTERS, type ProfileFilters } from '../profiles/listState';
import { describeGroupFilter, groupFilterFor, listStateOfFilter } from './groupFilter';
import type { GroupFilter } from './types';

/**
 * A filtered group's search and filters while they are being chosen, in the Profiles table's own
 * Filters pane. The pane opens over the form that holds the draft, so that form hides meanwhile
 * (`drawerOpened`) and renders `drawer` beside itself.
 */
export function useFilterDraft() {
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<ProfileFilters>(NO_FILTERS);
  const [drawerOpened, drawer] = useDisclosure(false);
  const customFields = useCustomFields();
  const company = useCompanySettings();
  const fields = customFields.data ?? [];
  const filter = groupFilterFor({ ...listStateOfFilter(null), ...filters, search: search.trim() });

  /** Starts the draft from a saved filter (or from nothing). */
  const reset = (from: GroupFilter | null) => {
    const { search: savedSearch, subscriptionStatus, firstSeenTypes, undeliverableReasons, conditions } = listStateOfFilter(from);
    setSearch(savedSearch);
    setFilters({ subscriptionStatus, firstSeenTypes, undeliverableReasons, conditions });
  };

  const element = (
    <FiltersDrawer
      opened={drawerOpened}
      applied={filters}
      fields={fields}
      genderOptions={company.data?.gender_options ?? []}
      onApply={(next) => {
        setFilters(next);
        drawer.close();
      }}
      onClose={drawer.close}
    />
  );
  return { search, setSearch, filter, lines: describeGroupFilter(filter, fields), reset, drawerOpened, openDrawer: drawer.open, drawer: element };
}

export type FilterDraft = ReturnType<typeof useFilterDraft>;

/** The draft's fields: the search text, the button to the Filters pane, and what is chosen so far. */
export function FilterDraftFields({ draft }: { draft: FilterDraft }) {
  return (
    <Stack gap="xs">
      <TextInput
        label="Search"
        description="Name, email or phone number; leave empty for none"
        value={draft.search}
        onChange={(e) => draft.setSearch(e.currentTarget.value)}
      />
      <Row gap="sm">
        <Button variant="default" leftSection={<IconAdjustmentsHorizontal size={16} />} onClick={draft.openDrawer}>
          Choose filters
        </Button>
        {draft.lines.length === 0 && (
          <Text size="sm" c="dimmed">
            No search or filters: every profile.
          </Text>
        )}
      </Row>
      {draft.lines.length > 0 && (
        <List size="sm" aria-label="Saved filter">
          {draft.lines.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}
