import { Anchor, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { formatDateTime } from '../profiles/format';
import { useSession } from '../session/session';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { ListTable } from '../ui/ListTable';
import { CampaignForm } from './CampaignForm';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import type { Campaign } from './types';
import { useCampaigns } from './useCampaigns';

const FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'ended', label: 'Ended' },
];

/** A campaign in the list; the whole row opens it. */
function CampaignRow({ c }: { c: Campaign }) {
  const navigate = useNavigate();
  return (
    <Table.Tr style={{ cursor: 'pointer' }} onClick={() => navigate(`/campaigns/${c.id}`)}>
      <Table.Td>
        <Anchor component={Link} to={`/campaigns/${c.id}`} fw={600} size="sm" onClick={(e) => e.stopPropagation()}>
          {c.name}
        </Anchor>
        {c.description && (
          <Text size="xs" c="dimmed" lineClamp={2}>
            {c.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <CampaignStatusBadge status={c.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(c.created_at)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{c.ended_at ? formatDateTime(c.ended_at) : ''}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** Home › Campaigns: every campaign, newest first, filtered by active or ended; create one. */
export function CampaignsPage() {
  const [params, setParams] = useSearchParams();
  const filter = params.get('status') === 'active' || params.get('status') === 'ended' ? (params.get('status') as 'active' | 'ended') : undefined;
  const campaigns = useCampaigns(filter);
  const [creating, form] = useDisclosure(false);
  const navigate = useNavigate();
  const canEdit = useSession().data?.role !== 'viewer';

  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: 'Campaigns' }]} />
      <Group justify="space-between">
        <Title order={2}>Campaigns</Title>
        {canEdit && (
          <Button leftSection={<IconPlus size={16} />} onClick={form.open}>
            New campaign
          </Button>
        )}
      </Group>
      <SegmentedControl
        w="fit-content"
        data={FILTERS}
        value={filter ?? 'all'}
        aria-label="Show campaigns"
        onChange={(value) => setParams(value === 'all' ? {} : { status: value })}
      />
      <ListTable
        label="Campaigns"
        query={campaigns}
        highlightOnHover
        headings={['Name', 'Status', 'Created', 'Ended']}
        empty={campaigns.data?.length !== 0 ? null : filter ? `No ${filter} campaigns.` : 'No campaigns yet.'}
      >
        {campaigns.data?.map((c) => <CampaignRow key={c.id} c={c} />)}
      </ListTable>
      <CampaignForm opened={creating} onClose={form.close} onSaved={(c) => void navigate(`/campaigns/${c.id}`)} />
    </Stack>
  );
}
