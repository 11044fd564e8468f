import { Alert, Anchor, Button, Center, Checkbox, Group as Row, List, Loader, Modal, Paper, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconUpload, IconUserMinus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCompanySettings, useCustomFields } from '../api/queries';
import type { Profile } from '../api/types';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { formatDateTime, fullName, plural } from '../profiles/format';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import { ProfilesPage } from '../profiles/ProfilesPage';
import { useProfileListState, useProfilePage } from '../profiles/useProfileList';
import { useSession } from '../session/session';
import { DeleteGroupButton, EditFilterButton, RenameGroupButton } from './GroupActions';
import { describeGroupFilter, profilesUrlOfFilter } from './groupFilter';
import { GroupKindBadge } from './GroupsPage';
import type { Group } from './types';
import { useGroup, useRemoveMembers } from './useGroups';

function GroupBreadcrumbs({ name }: { name: string }) {
  return <HomeBreadcrumbs trail={[{ label: 'Groups', to: '/groups' }, { label: name }]} />;
}

/** A filtered group's saved search and filters, and a link to the same rows on the Profiles page. */
function SavedFilter({ group }: { group: Group }) {
  const customFields = useCustomFields();
  const lines = describeGroupFilter(group.filter, customFields.data ?? []);
  return (
    <Paper withBorder radius="md" p="sm" aria-label="Saved filter" component="section">
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          Saved filter
        </Text>
        {lines.length ? (
          <List size="sm" data-testid="saved-filter">
            {lines.map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm" c="dimmed" data-testid="saved-filter">
            No search or filters: every profile.
          </Text>
        )}
        <Text size="xs" c="dimmed">
          Members are whoever matches now. The table below can narrow them further.{' '}
          <Anchor component={Link} to={profilesUrlOfFilter(group.filter)} size="xs">
            Open on the Profiles page
          </Anchor>
        </Text>
      </Stack>
    </Paper>
  );
}

function memberLabel(profile: Profile, homeCountry: string): string {
  const phone = profile.phone_number ? formatPhoneNumber(profile.phone_number, homeCountry) : 'No valid number';
  return [phone, fullName(profile)].filter(Boolean).join(' · ');
}

/**
 * Remove members of an uploaded group: tick them among the profiles on the page shown (the same rows
 * as the table, from the same query), then remove. The profiles themselves stay.
 */
function RemoveMembersButton({ group }: { group: Group }) {
  const [opened, modal] = useDisclosure(false);
  const [state] = useProfileListState(group.id);
  const shown = useProfilePage(state).data?.data ?? [];
  const [selected, setSelected] = useState<number[]>([]);
  const remove = useRemoveMembers(group.id);
  const homeCountry = useCompanySettings().data?.default_country ?? 'US';
  const open = () => {
    setSelected([]);
    remove.reset();
    modal.open();
  };
  return (
    <>
      <Button variant="default" leftSection={<IconUserMinus size={16} />} onClick={open} disabled={shown.length === 0}>
        Remove members
      </Button>
      <Modal opened={opened} onClose={modal.close} title="Remove members" size="lg">
        <Stack>
          <Text size="sm">Tick the profiles to take out of “{group.name}”. They stay in Roster, with their first-seen data.</Text>
          <Checkbox
            label={`All ${plural(shown.length, 'profile')} on this page`}
            checked={shown.length > 0 && selected.length === shown.length}
            indeterminate={selected.length > 0 && selected.length < shown.length}
            onChange={(e) => setSelected(e.currentTarget.checked ? shown.map((p) => p.id) : [])}
          />
          <Checkbox.Group value={selected.map(String)} onChange={(values) => setSelected(values.map(Number))} aria-label="Members on this page">
            <Stack gap={6} mah={360} style={{ overflowY: 'auto' }}>
              {shown.map((profile) => (
                <Checkbox key={profile.id} value={String(profile.id)} label={memberLabel(profile, homeCountry)} />
              ))}
            </Stack>
          </Checkbox.Group>
          {remove.error && <Alert color="red">{remove.error.message}</Alert>}
          <Row justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button
              color="red"
              disabled={selected.length === 0}
              loading={remove.isPending}
              onClick={() => remove.mutate(selected, { onSuccess: modal.close })}
            >
              Remove {plural(selected.length, 'member')}
            </Button>
          </Row>
        </Stack>
      </Modal>
    </>
  );
}

/** Home › Groups › a group: its members in the Profiles table (search, filters, sort and page as there), rename, delete. */
export function GroupPage() {
  const id = Number(useParams().id);
  const valid = Number.isSafeInteger(id) && id > 0;
  const group = useGroup(valid ? id : null);
  const session = useSession();
  const canWrite = session.data !== undefined && session.data?.role !== 'viewer';
  const navigate = useNavigate();

  if (!valid || group.error) {
    return (
      <Stack>
        <GroupBreadcrumbs name="Not found" />
        <Alert color={valid ? 'red' : 'yellow'} title="No such group">
          {valid ? group.error?.message : 'That is not a group’s address.'}{' '}
          <Anchor component={Link} to="/groups">
            Back to Groups
          </Anchor>
        </Alert>
      </Stack>
    );
  }
  if (!group.data) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading group" />
      </Center>
    );
  }
  const g = group.data;
  return (
    <ProfilesPage
      group={{
        groupId: g.id,
        breadcrumbs: <GroupBreadcrumbs name={g.name} />,
        title: g.name,
        actions: canWrite ? (
          <>
            {g.kind === 'uploaded' && (
              <>
                <Button variant="default" component={Link} to={`/uploads?group=${encodeURIComponent(g.name)}`} leftSection={<IconUpload size={16} />}>
                  Upload more
                </Button>
                <RemoveMembersButton group={g} />
              </>
            )}
            {g.kind === 'filtered' && <EditFilterButton group={g} />}
            <RenameGroupButton group={g} />
            <DeleteGroupButton group={g} onDeleted={() => void navigate('/groups')} />
          </>
        ) : undefined,
        details: (
          <Stack gap="sm">
            <Row gap="sm">
              <GroupKindBadge kind={g.kind} />
              <Text size="sm" c="dimmed" data-testid="group-member-count">
                {plural(g.member_count, 'member')} · created {formatDateTime(g.created_at)}
              </Text>
            </Row>
            {g.kind === 'filtered' && <SavedFilter group={g} />}
          </Stack>
        ),
      }}
    />
  );
}
