import { Button, Table, Text } from '@mantine/core';
import type { Subscription } from '../api/types';
import { formatDateTime } from '../profiles/format';
import { SubscriptionBadge } from './SubscriptionBadge';
import type { useRemoveSubscription } from './useCampaigns';

/** The header cells that go with SubscriptionCells. */
export function SubscriptionHeaderCells() {
  return (
    <>
      <Table.Th>Status</Table.Th>
      <Table.Th>Opt-in path</Table.Th>
      <Table.Th>Activated</Table.Th>
      <Table.Th>Opted out</Table.Th>
    </>
  );
}

/** A subscription's status, opt-in path, activation and opt-out, as the campaign and profile pages list them. */
export function SubscriptionCells({ subscription: s }: { subscription: Subscription }) {
  return (
    <>
      <Table.Td>
        <SubscriptionBadge status={s.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{s.opt_in_path_name ?? 'Added by staff'}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{s.activated_at ? formatDateTime(s.activated_at) : ''}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{s.opted_out_at ? formatDateTime(s.opted_out_at) : ''}</Text>
        {s.opt_out_source && (
          <Text size="xs" c="dimmed">
            {s.opt_out_source}
          </Text>
        )}
      </Table.Td>
    </>
  );
}

/** Remove, for a subscription that is still active or pending (staff end it as removed). */
export function RemoveSubscriptionCell({ subscription: s, remove, label }: { subscription: Subscription; remove: ReturnType<typeof useRemoveSubscription>; label: string }) {
  const removable = s.status === 'active' || s.status === 'pending';
  return (
    <Table.Td>
      {removable && (
        <Button variant="subtle" color="red" size="xs" loading={remove.isPending && remove.variables === s.id} onClick={() => remove.mutate(s.id)} aria-label={label}>
          Remove
        </Button>
      )}
    </Table.Td>
  );
}

