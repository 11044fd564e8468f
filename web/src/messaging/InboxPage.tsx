import { Anchor, Badge, Button, Center, Group, Pagination, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { IconMessage } from '@tabler/icons-react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useCompanySettings } from '../api/queries';
import { formatDateTime, fullName, plural } from '../profiles/format';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import { SubscriptionStatusLabel } from '../profiles/SubscriptionStatusLabel';
import { useSession } from '../session/session';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { ListTable } from '../ui/ListTable';
import type { ChatLinkState } from './ChatPage';
import { OptOutButton } from './OptOutButton';
import type { InboxConversation } from './types';
import { useDismissPossibleOptOuts, useInbox } from './useMessaging';

const PER_PAGE = 25;

function ConversationRow({ c, homeCountry, canEdit, backTo }: { c: InboxConversation; homeCountry: string; canEdit: boolean; backTo: string }) {
  const navigate = useNavigate();
  const dismiss = useDismissPossibleOptOuts();
  const linkState: ChatLinkState = { from: 'inbox', backTo };
  const chat = `/profiles/${c.profile_id}/chat`;
  const m = c.last_message;
  return (
    <Table.Tr data-profile-id={c.profile_id} style={{ cursor: 'pointer' }} onClick={() => void navigate(chat, { state: linkState })}>
      <Table.Td>
        <Anchor component={Link} to={chat} state={linkState} fw={600} size="sm" style={{ whiteSpace: 'nowrap' }} onClick={(e) => e.stopPropagation()}>
          {c.phone_number ? formatPhoneNumber(c.phone_number, homeCountry) : `Profile ${c.profile_id}`}
        </Anchor>
        {fullName(c) && <Text size="xs">{fullName(c)}</Text>}
      </Table.Td>
      <Table.Td>
        <SubscriptionStatusLabel status={c.status} description={c.description} />
      </Table.Td>
      <Table.Td maw={420}>
        <Group gap={6} wrap="nowrap" align="flex-start">
          <Badge size="xs" variant="light" color={m.direction === 'inbound' ? 'gray' : 'indigo'} style={{ flexShrink: 0 }}>
            {m.direction === 'inbound' ? 'MO' : 'MT'}
          </Badge>
          <Text size="sm" lineClamp={2} data-testid="last-message">
            {m.body}
          </Text>
        </Group>
        {c.possible_opt_out && (
          <Badge color="orange" variant="filled" size="sm" mt={4} data-testid="possible-opt-out">
            Possible opt-out
          </Badge>
        )}
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(m.created_at)}</Text>
      </Table.Td>
      <Table.Td onClick={(e) => e.stopPropagation()}>
        <Group gap={4} wrap="nowrap">
          <Button variant="subtle" size="xs" component={Link} to={chat} state={linkState} leftSection={<IconMessage size={14} />}>
            Chat
          </Button>
          {canEdit && c.possible_opt_out && (
            <>
              {c.status !== 'Opted Out' && <OptOutButton profileId={c.profile_id} reason="Opt-out from Inbox" label="Confirm opt-out" size="xs" settlePossibleOptOuts />}
              <Button variant="subtle" color="gray" size="xs" loading={dismiss.isPending} onClick={() => dismiss.mutate(c.profile_id)}>
                Dismiss
              </Button>
            </>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** Home › Inbox: recent conversations, newest first; possible opt-outs marked, filterable, confirmed or dismissed here. */
export function InboxPage() {
  const [params, setParams] = useSearchParams();
  const possibleOptOut = params.get('possible_opt_out') === 'true';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const inbox = useInbox({ page, per_page: PER_PAGE, possibleOptOut });
  const company = useCompanySettings();
  const canEdit = useSession().data?.role !== 'viewer';
  const backTo = `/inbox${params.toString() ? `?${params.toString()}` : ''}`;

  const setView = (next: { possibleOptOut?: boolean; page?: number }) => {
    const search = new URLSearchParams();
    if (next.possibleOptOut ?? possibleOptOut) search.set('possible_opt_out', 'true');
    if ((next.page ?? 1) > 1) search.set('page', String(next.page));
    setParams(search);
  };

  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: 'Inbox' }]} />
      <Group justify="space-between">
        <Title order={2}>Inbox</Title>
        {inbox.data && (
          <Text size="sm" c="dimmed" data-testid="inbox-total">
            {plural(inbox.data.total, 'conversation')}
          </Text>
        )}
      </Group>
      <SegmentedControl
        w="fit-content"
        aria-label="Show conversations"
        data={[
          { value: 'all', label: 'All conversations' },
          { value: 'possible', label: 'Possible opt-outs' },
        ]}
        value={possibleOptOut ? 'possible' : 'all'}
        onChange={(v) => setView({ possibleOptOut: v === 'possible', page: 1 })}
      />
      <ListTable
        label="Conversations"
        query={inbox}
        highlightOnHover
        headings={['Who', 'Subscription status', 'Last message', 'When', 'Actions']}
        empty={inbox.data?.total !== 0 ? null : possibleOptOut ? 'No possible opt-outs to look at.' : 'No conversations yet.'}
        footer={(inbox.data?.total ?? 0) > PER_PAGE && (
          <Center>
            <Pagination total={Math.ceil(inbox.data!.total / PER_PAGE)} value={page} onChange={(p) => setView({ page: p })} />
          </Center>
        )}
      >
        {inbox.data?.data.map((c) => (
          <ConversationRow key={c.profile_id} c={c} homeCountry={company.data?.default_country ?? 'US'} canEdit={canEdit} backTo={backTo} />
        ))}
      </ListTable>
    </Stack>
  );
}
