import { Alert, Button, Center, Group, Loader, Paper, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { IconUser } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { useCompanySettings } from '../api/queries';
import { useProfile } from '../profile/useProfile';
import { fullName } from '../profiles/format';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import { SubscriptionStatusLabel } from '../profiles/SubscriptionStatusLabel';
import { useSession } from '../session/session';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { Conversation, oldestFirst } from './Conversation';
import { OptOutButton } from './OptOutButton';
import { SendBox } from './SendBox';
import { useConversation, useDismissPossibleOptOuts } from './useMessaging';

/** Where the chat was opened from, so its breadcrumb leads back there. */
export interface ChatLinkState {
  from?: 'inbox' | 'profiles';
  backTo?: string;
}

/** Chat (SPEC §4): one profile's MO/MT history, a send box refused with the reason when not textable, and Opt out. */
export function ChatPage() {
  const id = Number(useParams().id);
  const profileId = Number.isSafeInteger(id) && id > 0 ? id : 0;
  const profile = useProfile(profileId);
  const conversation = useConversation(profileId);
  const company = useCompanySettings();
  const role = useSession().data?.role;
  const state = (useLocation().state as ChatLinkState | null) ?? {};
  const fromInbox = state.from === 'inbox';
  const bottom = useRef<HTMLDivElement>(null);

  // Follow the newest message as it arrives.
  const newestId = oldestFirst(conversation.data).at(-1)?.id;
  // A block body: scrollIntoView answers a Promise in newer browsers, which React would take for a cleanup.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [newestId]);

  const homeCountry = company.data?.default_country ?? 'US';
  const p = profile.data;
  const phone = p ? (p.phone_number ? formatPhoneNumber(p.phone_number, homeCountry) : 'No valid number') : '…';
  const latest = conversation.data?.pages[0];
  const flagged = oldestFirst(conversation.data).filter((m) => m.direction === 'inbound' && m.possible_opt_out);
  const dismiss = useDismissPossibleOptOuts();

  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: fromInbox ? 'Inbox' : 'Profiles', to: state.backTo ?? (fromInbox ? '/inbox' : '/profiles') }, { label: 'Chat' }]} />
      {profile.error ? (
        <Alert color={profile.error instanceof ApiError && profile.error.status === 404 ? 'yellow' : 'red'} title="Could not open this conversation">
          {profile.error instanceof ApiError && profile.error.status === 404 ? 'No such profile; it may have been deleted.' : profile.error.message}
        </Alert>
      ) : !p ? (
        <Center py="xl">
          <Loader aria-label="Loading the conversation" />
        </Center>
      ) : (
        <>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              <Title order={2}>Chat with {phone}</Title>
              <Group gap="sm">
                {fullName(p) && <Text size="lg">{fullName(p)}</Text>}
                <SubscriptionStatusLabel status={p.status} description={p.description} />
              </Group>
            </Stack>
            <Group gap="sm">
              <Button variant="default" component={Link} to={`/profiles/${p.id}`} leftSection={<IconUser size={16} />}>
                Profile
              </Button>
              {role !== 'viewer' && p.status !== 'Opted Out' && p.status !== 'Invalid Profile Data' && <OptOutButton profileId={p.id} reason="Opt-out from Inbox" />}
            </Group>
          </Group>
          {flagged.length > 0 && role !== 'viewer' && p.status !== 'Opted Out' && (
            <Alert color="orange" title="Possible opt-out" data-testid="possible-opt-out-review">
              <Stack gap="xs">
                <Text size="sm">“{flagged.at(-1)!.body}” may ask Roster to stop texting. Opt the person out, or dismiss it if it does not.</Text>
                <Group gap="xs">
                  <OptOutButton profileId={p.id} reason="Opt-out from Inbox" label="Confirm opt-out" size="xs" settlePossibleOptOuts />
                  <Button variant="default" size="xs" loading={dismiss.isPending} onClick={() => dismiss.mutate(p.id)}>
                    Dismiss
                  </Button>
                </Group>
              </Stack>
            </Alert>
          )}
          <Paper withBorder radius="md" p="md">
            <ScrollArea.Autosize mah="60vh" type="auto">
              <Conversation conversation={conversation} />
              <div ref={bottom} />
            </ScrollArea.Autosize>
          </Paper>
          {latest && role !== 'viewer' && <SendBox profileId={p.id} textable={latest.textable} untextableReason={latest.untextable_reason} />}
        </>
      )}
    </Stack>
  );
}
