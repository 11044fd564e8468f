import { Alert, Anchor, Breadcrumbs, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAdjustmentsHorizontal } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useCompanySettings, useCustomFields } from '../api/queries';
import { SaveAsCsvButton } from '../exports/SaveAsCsvButton';
import { GroupScopeNote } from '../groups/GroupScopeNote';
import { SaveAsGroupButton } from '../groups/SaveAsGroupButton';
import { FilterIndicator } from './FilterIndicator';
import { FiltersDrawer } from './FiltersDrawer';
import { plural } from './format';
import { describeFilters, type ProfileFilters } from './listState';
import { ProfilesPager } from './ProfilesPager';
import { ProfilesTable } from './ProfilesTable';
import { SearchBox } from './SearchBox';
import { useProfileListState, useProfilePage } from './useProfileList';

function appliedFilters({ subscriptionStatus, firstSeenTypes, undeliverableReasons, conditions }: ProfileFilters): ProfileFilters {
  return { subscriptionStatus, firstSeenTypes, undeliverableReasons, conditions };
}

/** What a group's page puts around the table of its members (the table itself is this page's). */
export interface GroupScope {
  groupId: number;
  breadcrumbs: ReactNode;
  title: ReactNode;
  actions?: ReactNode;
  details?: ReactNode;
}

/** Home › Profiles: search, filter, sort and page through every profile of the company — or, on a group's page, of the group. */
export function ProfilesPage({ group }: { group?: GroupScope } = {}) {
  const [state, update] = useProfileListState(group?.groupId);
  const profilePage = useProfilePage(state);
  const customFields = useCustomFields();
  const company = useCompanySettings();
  const [filtersOpened, filtersPane] = useDisclosure(false);
  const fields = customFields.data ?? [];
  const filterLines = describeFilters(state, fields);

  const applyFilters = (filters: ProfileFilters) => {
    update({ ...filters, page: 1 });
    filtersPane.close();
  };

  const result = profilePage.data;
  return (
    <Stack gap="md">
      {group?.breadcrumbs ?? (
        <Breadcrumbs>
          <Text size="sm" c="dimmed">
            Home
          </Text>
          <Text size="sm">Profiles</Text>
        </Breadcrumbs>
      )}
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Group gap="sm" align="baseline">
          <Title order={2}>{group?.title ?? 'Profiles'}</Title>
          {result && (
            <Text c="dimmed" aria-live="polite" data-testid="profile-total">
              {plural(result.total, 'profile')}
            </Text>
          )}
        </Group>
        <Group gap="sm" wrap="wrap">
          <SearchBox search={state.search} onSearch={(search) => update({ search, page: 1 })} />
          <Button variant="default" leftSection={<IconAdjustmentsHorizontal size={16} />} onClick={filtersPane.open}>
            Filter
          </Button>
          {group ? group.actions : (
            <>
              {/* Exports take no group yet: a file of every profile would not be what this table shows. */}
              {state.groupId === null && <SaveAsCsvButton state={state} />}
              <SaveAsGroupButton state={state} profileIds={result?.data.map((profile) => profile.id) ?? []} />
            </>
          )}
        </Group>
      </Group>
      <Group gap="sm">
        <FilterIndicator descriptions={filterLines} />
        {!group && state.groupId !== null && <GroupScopeNote groupId={state.groupId} onClear={() => update({ groupId: null, page: 1 })} />}
        {state.search && (
          <Text size="sm" c="dimmed">
            Searching for “{state.search}” ·{' '}
            <Anchor component="button" size="sm" onClick={() => update({ search: '', page: 1 })}>
              clear search
            </Anchor>
          </Text>
        )}
      </Group>

      {group?.details}

      {profilePage.error && (
        <Alert color="red" title="Could not load profiles">
          {profilePage.error.message}
        </Alert>
      )}
      {!result && profilePage.isPending && (
        <Center py="xl">
          <Loader aria-label="Loading profiles" />
        </Center>
      )}
      {result && (
        <Paper withBorder radius="md" p="sm">
          <Stack gap="sm">
            <ProfilesTable
              profiles={result.data}
              order={state.order}
              onOrderChange={(order) => update({ order, page: 1 })}
              homeCountry={company.data?.default_country ?? 'US'}
              busy={profilePage.isPlaceholderData}
            />
            {result.data.length === 0 && (
              <Text ta="center" c="dimmed" py="lg">
                {result.total === 0 ? 'No profiles match.' : `Page ${state.page} is past the last page.`}
              </Text>
            )}
            <ProfilesPager
              page={state.page}
              perPage={state.perPage}
              total={result.total}
              onPageChange={(page) => update({ page })}
              onPerPageChange={(perPage) => update({ perPage, page: 1 })}
            />
          </Stack>
        </Paper>
      )}

      <FiltersDrawer
        opened={filtersOpened}
        applied={appliedFilters(state)}
        fields={fields}
        genderOptions={company.data?.gender_options ?? []}
        onApply={applyFilters}
        onClose={filtersPane.close}
      />
    </Stack>
  );
}
