import { Alert, Anchor, Group, Loader, Pagination, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { fullName, plural } from '../profiles/format';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import { RemoveSubscriptionCell, SubscriptionCells, SubscriptionHeaderCells } from './SubscriptionCells';
import { SUBSCRIPTION_STATE_LABELS, SUBSCRIPTION_STATES } from './types';
import { useCampaignSubscribers, useRemoveSubscription } from './useCampaigns';

const PER_PAGE = 50;

/** A campaign's subscribers, newest first, by status; staff can remove one. */
export function CampaignSubscribers({ campaignId, homeCountry, canEdit }: { campaignId: number; homeCountry: string; canEdit: boolean }) {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const subscribers = useCampaignSubscribers(campaignId, { page, per_page: PER_PAGE, status: status ?? undefined });
  const remove = useRemoveSubscription();

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Select
          label="Status"
          placeholder="All"
          clearable
          w={200}
          data={SUBSCRIPTION_STATES.map((s) => ({ value: s, label: SUBSCRIPTION_STATE_LABELS[s].label }))}
          value={status}
          onChange={(value) => {
            setStatus(value);
            setPage(1);
          }}
        />
        {subscribers.data && (
          <Text size="sm" c="dimmed" data-testid="subscriber-total">
            {plural(subscribers.data.total, 'subscriber')}
          </Text>
        )}
      </Group>
      {remove.error && <Alert color="red">{remove.error.message}</Alert>}
      {subscribers.error && <Alert color="red">{subscribers.error.message}</Alert>}
      {subscribers.isPending && <Loader size="sm" aria-label="Loading subscribers" />}
      {subscribers.data && (
        <>
          <Table aria-label="Subscribers" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Profile</Table.Th>
                <SubscriptionHeaderCells />
                {canEdit && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {subscribers.data.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/profiles/${s.profile_id}`} size="sm" fw={600}>
                      {s.phone_number ? formatPhoneNumber(s.phone_number, homeCountry) : `Profile ${s.profile_id}`}
                    </Anchor>
                    {fullName(s) && <Text size="xs">{fullName(s)}</Text>}
                  </Table.Td>
                  <SubscriptionCells subscription={s} />
                  {canEdit && <RemoveSubscriptionCell subscription={s} remove={remove} label={`Remove ${s.phone_number ? formatPhoneNumber(s.phone_number, homeCountry) : `profile ${s.profile_id}`}`} />}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {subscribers.data.total === 0 && (
            <Text ta="center" c="dimmed" py="md">
              No subscribers{status ? ` with this status` : ''} yet.
            </Text>
          )}
          {subscribers.data.total > PER_PAGE && (
            <Pagination total={Math.ceil(subscribers.data.total / PER_PAGE)} value={page} onChange={setPage} aria-label="Subscriber pages" />
          )}
        </>
      )}
    </Stack>
  );
}
