import { Anchor, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconMessage, IconSortAscending, IconSortDescending } from '@tabler/icons-react';
import type { MouseEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import type { Profile } from '../api/types';
import { formatDateTime, fullName } from './format';
import type { SortOrder } from './listState';
import { formatPhoneNumber } from './phoneDisplay';
import { SubscriptionStatusLabel } from './SubscriptionStatusLabel';

/** What the profile page needs to lead back to the same rows of the table. */
export interface ProfileLinkState {
  listSearch: string;
}

function UserCell({ profile, homeCountry, linkState }: { profile: Profile; homeCountry: string; linkState: ProfileLinkState }) {
  const name = fullName(profile);
  return (
    <Stack gap={0}>
      <Anchor component={Link} to={`/profiles/${profile.id}`} state={linkState} fw={600} size="sm" onClick={(e) => e.stopPropagation()}>
        {profile.phone_number ? formatPhoneNumber(profile.phone_number, homeCountry) : 'No valid number'}
      </Anchor>
      {name && <Text size="sm">{name}</Text>}
      {profile.email && (
        <Text size="xs" c="dimmed">
          {profile.email}
        </Text>
      )}
    </Stack>
  );
}

function AddressCell({ profile }: { profile: Profile }) {
  const cityLine = [[profile.city, profile.state].filter(Boolean).join(', '), profile.postal_code].filter(Boolean).join(' ');
  const lines = [profile.street1, profile.street2, cityLine].filter(Boolean);
  return (
    <Stack gap={0}>
      {lines.map((line, i) => (
        <Text key={i} size="sm">
          {line}
        </Text>
      ))}
    </Stack>
  );
}

function FirstSeenTypeCell({ profile }: { profile: Profile }) {
  return (
    <Stack gap={0}>
      <Text size="sm">{profile.source_type}</Text>
      {profile.source_name && (
        <Text size="xs" c="dimmed">
          {profile.source_name}
        </Text>
      )}
    </Stack>
  );
}

/** The seed's "Ascending / Descending to the right of the header": one button that shows the order and flips it. */
function FirstSeenOrderControl({ order, onChange }: { order: SortOrder; onChange: (order: SortOrder) => void }) {
  const next: SortOrder = order === 'desc' ? 'asc' : 'desc';
  return (
    <Tooltip label={order === 'desc' ? 'Newest first; click for oldest first' : 'Oldest first; click for newest first'}>
      <Button
        variant="subtle"
        size="compact-xs"
        leftSection={order === 'desc' ? <IconSortDescending size={14} /> : <IconSortAscending size={14} />}
        onClick={() => onChange(next)}
      >
        {order === 'desc' ? 'Descending' : 'Ascending'}
      </Button>
    </Tooltip>
  );
}

interface ProfilesTableProps {
  profiles: Profile[];
  order: SortOrder;
  onOrderChange: (order: SortOrder) => void;
  homeCountry: string;
  busy: boolean;
}

/**
 * The Profiles table of SPEC §5. CRM match stays empty until CRM sync exists; Actions holds CHAT;
 * the Cleaned status column belongs to campaign and broadcast reports only.
 */
export function ProfilesTable({ profiles, order, onOrderChange, homeCountry, busy }: ProfilesTableProps) {
  const navigate = useNavigate();
  const linkState: ProfileLinkState = { listSearch: useLocation().search };
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Profiles" aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Subscription status</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>First seen type</Table.Th>
            <Table.Th>
              <Group gap={4} wrap="nowrap">
                First seen date
                <FirstSeenOrderControl order={order} onChange={onOrderChange} />
              </Group>
            </Table.Th>
            <Table.Th>CRM match</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {profiles.map((profile) => (
            <Table.Tr key={profile.id} style={{ cursor: 'pointer' }} onClick={() => navigate(`/profiles/${profile.id}`, { state: linkState })}>
              <Table.Td>
                <UserCell profile={profile} homeCountry={homeCountry} linkState={linkState} />
              </Table.Td>
              <Table.Td>
                <SubscriptionStatusLabel status={profile.status} description={profile.description} />
              </Table.Td>
              <Table.Td>
                <AddressCell profile={profile} />
              </Table.Td>
              <Table.Td>
                <FirstSeenTypeCell profile={profile} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" component="time" dateTime={profile.created_at}>
                  {formatDateTime(profile.created_at)}
                </Text>
              </Table.Td>
              <Table.Td />
              <Table.Td>
                <Button
                  component={Link}
                  to={`/profiles/${profile.id}/chat`}
                  state={{ from: 'profiles', backTo: `/profiles${linkState.listSearch}` }}
                  variant="subtle"
                  size="compact-xs"
                  leftSection={<IconMessage size={14} />}
                  onClick={(e: MouseEvent) => e.stopPropagation()}
                  aria-label={`Chat with ${profile.phone_number ? formatPhoneNumber(profile.phone_number, homeCountry) : `profile ${profile.id}`}`}
                >
                  CHAT
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
