import { Alert, Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFlag, IconPencil, IconTrash } from '@tabler/icons-react';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { useCompanySettings } from '../api/queries';
import { formatCount, formatDateTime } from '../profiles/format';
import { useSession } from '../session/session';
import { ConfirmButton } from '../ui/ConfirmButton';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { Section } from '../ui/Section';
import { CampaignForm } from './CampaignForm';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { CampaignSubscribers } from './CampaignSubscribers';
import { OptInPaths } from './OptInPaths';
import { SUBSCRIPTION_STATE_LABELS, SUBSCRIPTION_STATES } from './types';
import { useCampaign, useDeleteCampaign, useEndCampaign } from './useCampaigns';

/** One campaign: its status and counts, its opt-in paths and its subscribers; edit, end, delete. */
export function CampaignPage() {
  const id = Number(useParams().id);
  const campaign = useCampaign(Number.isSafeInteger(id) && id > 0 ? id : 0);
  const company = useCompanySettings();
  const role = useSession().data?.role;
  const canEdit = role !== undefined && role !== 'viewer';
  const [editing, editForm] = useDisclosure(false);
  const end = useEndCampaign(id);
  const remove = useDeleteCampaign(id);
  const navigate = useNavigate();

  const breadcrumbs = (current: string) => <HomeBreadcrumbs trail={[{ label: 'Campaigns', to: '/campaigns' }, { label: current }]} />;

  if (campaign.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the campaign" />
      </Center>
    );
  }
  if (campaign.error) {
    const missing = campaign.error instanceof ApiError && campaign.error.status === 404;
    return (
      <Stack>
        {breadcrumbs('Not found')}
        <Alert color={missing ? 'yellow' : 'red'} title={missing ? 'No such campaign' : 'Could not load the campaign'}>
          {missing ? 'It may have been deleted.' : campaign.error.message}
        </Alert>
      </Stack>
    );
  }
  const c = campaign.data;
  return (
    <Stack gap="md">
      {breadcrumbs(c.name)}
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={2}>{c.name}</Title>
            <CampaignStatusBadge status={c.status} />
          </Group>
          {c.description && <Text>{c.description}</Text>}
          <Text size="sm" c="dimmed">
            Created {formatDateTime(c.created_at)}
            {c.ended_at ? ` · ended ${formatDateTime(c.ended_at)}` : ''}
          </Text>
        </Stack>
        {canEdit && (
          <Group gap="sm">
            <Button leftSection={<IconPencil size={16} />} onClick={editForm.open}>
              Edit
            </Button>
            {c.status === 'active' && (
              <ConfirmButton
                label="End campaign"
                title="End this campaign?"
                text="It takes no new subscriptions and its keywords stop working; its subscribers leave the Active subscribers filter. This cannot be undone."
                confirm="End campaign"
                color="orange"
                icon={<IconFlag size={16} />}
                pending={end.isPending}
                error={end.error}
                onConfirm={(close) => end.mutate(undefined, { onSuccess: close })}
              />
            )}
            {role === 'admin' && (
              <ConfirmButton
                label="Delete"
                title="Delete this campaign?"
                text="Only a campaign that never had a subscriber can be deleted; end it otherwise."
                confirm="Delete campaign"
                color="red"
                icon={<IconTrash size={16} />}
                pending={remove.isPending}
                error={remove.error}
                onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate('/campaigns') })}
              />
            )}
          </Group>
        )}
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {SUBSCRIPTION_STATES.map((s) => (
          <Paper key={s} withBorder p="sm" radius="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {SUBSCRIPTION_STATE_LABELS[s].label}
            </Text>
            <Text size="xl" fw={700} data-testid={`count-${s}`}>
              {formatCount(c.subscriptions[s])}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Section title="Opt-in paths">
        <OptInPaths campaign={c} canEdit={canEdit} />
      </Section>
      <Section title="Subscribers">
        <CampaignSubscribers campaignId={c.id} homeCountry={company.data?.default_country ?? 'US'} canEdit={canEdit} />
      </Section>
      <CampaignForm opened={editing} onClose={editForm.close} campaign={c} />
    </Stack>
  );
}
