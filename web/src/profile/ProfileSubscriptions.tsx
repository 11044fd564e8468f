import { Alert, Anchor, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Profile } from '../api/types';
import { CampaignStatusBadge } from '../campaigns/CampaignStatusBadge';
import { RemoveSubscriptionCell, SubscriptionCells, SubscriptionHeaderCells } from '../campaigns/SubscriptionCells';
import type { SubscribeResult } from '../campaigns/types';
import { useCampaigns, useOptInPaths, useRemoveSubscription, useSubscribe } from '../campaigns/useCampaigns';

const OUTCOME_TEXT: Record<SubscribeResult['outcome'], { text: string; color: string }> = {
  subscribed: { text: 'Subscribed.', color: 'teal' },
  pending: { text: 'Subscribed, pending: the person must reply YES to confirm.', color: 'teal' },
  already_subscribed: { text: 'Already subscribed to this campaign; nothing changed.', color: 'yellow' },
  profile_opted_out: { text: 'This person opted out of this campaign; nothing changed.', color: 'yellow' },
};

function SubscribeForm({ profileId }: { profileId: number }) {
  const campaigns = useCampaigns('active');
  const [campaignId, setCampaignId] = useState<string | null>(null);
  const [pathId, setPathId] = useState<string | null>(null);
  const paths = useOptInPaths(Number(campaignId ?? 0));
  const subscribe = useSubscribe();
  return (
    <Stack gap="xs">
      <Group align="flex-end" gap="sm">
        <Select
          label="Subscribe to a campaign"
          placeholder="Choose an active campaign"
          searchable
          w={280}
          data={(campaigns.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
          value={campaignId}
          onChange={(v) => {
            setCampaignId(v);
            setPathId(null);
            subscribe.reset();
          }}
          nothingFoundMessage="No active campaigns"
        />
        {campaignId && (paths.data?.length ?? 0) > 0 && (
          <Select
            label="Opt-in path"
            placeholder="None (added by staff)"
            clearable
            w={220}
            data={(paths.data ?? []).map((p) => ({ value: String(p.id), label: p.name }))}
            value={pathId}
            onChange={setPathId}
          />
        )}
        <Button
          leftSection={<IconPlus size={16} />}
          disabled={!campaignId}
          loading={subscribe.isPending}
          onClick={() => subscribe.mutate({ campaignId: Number(campaignId), profileId, optInPathId: pathId ? Number(pathId) : null })}
        >
          Subscribe
        </Button>
      </Group>
      {subscribe.error && <Alert color="red">{subscribe.error.message}</Alert>}
      {subscribe.data && (
        <Alert color={OUTCOME_TEXT[subscribe.data.outcome].color} withCloseButton onClose={() => subscribe.reset()} data-testid="subscribe-outcome">
          {OUTCOME_TEXT[subscribe.data.outcome].text}
        </Alert>
      )}
    </Stack>
  );
}

/** The profile's subscriptions (SPEC §3); staff subscribe it to a campaign or remove a subscription. */
export function ProfileSubscriptions({ profile, canEdit }: { profile: Profile; canEdit: boolean }) {
  const remove = useRemoveSubscription();
  return (
    <Stack gap="sm">
      {profile.subscriptions.length === 0 ? (
        <Text size="sm" c="dimmed">
          No subscriptions.
        </Text>
      ) : (
        <Table aria-label="Subscriptions" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Campaign</Table.Th>
              <SubscriptionHeaderCells />
              {canEdit && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {profile.subscriptions.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Anchor component={Link} to={`/campaigns/${s.campaign_id}`} size="sm" fw={600}>
                      {s.campaign_name}
                    </Anchor>
                    {s.campaign_status === 'ended' && <CampaignStatusBadge status="ended" />}
                  </Group>
                </Table.Td>
                <SubscriptionCells subscription={s} />
                {canEdit && <RemoveSubscriptionCell subscription={s} remove={remove} label={`Remove from ${s.campaign_name}`} />}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {remove.error && <Alert color="red">{remove.error.message}</Alert>}
      {canEdit && profile.status !== 'Opted Out' && profile.status !== 'Invalid Profile Data' && <SubscribeForm profileId={profile.id} />}
    </Stack>
  );
}
