import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, queryString } from '../api/client';
import type { ConversationPage, InboxPage, Message, SimulatedInbound, SimulatorState } from './types';

export const MESSAGES_KEY = ['messages'] as const;
export const INBOX_KEY = ['inbox'] as const;
const SIMULATOR_KEY = ['simulator'] as const;

/** A message moves the conversation, the inbox, and (STOP, keywords) the profile and the tables that show it. */
export function useInvalidateMessaging() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: MESSAGES_KEY }),
      queryClient.invalidateQueries({ queryKey: INBOX_KEY }),
      queryClient.invalidateQueries({ queryKey: ['profile'] }),
      queryClient.invalidateQueries({ queryKey: ['profiles'] }),
      queryClient.invalidateQueries({ queryKey: ['campaigns'] }),
      queryClient.invalidateQueries({ queryKey: SIMULATOR_KEY }),
      queryClient.invalidateQueries({ queryKey: ['audit'] }),
    ]);
}

/**
 * One profile's conversation, newest page first, with older pages on demand. Polled so replies and delivery
 * reports appear while it is open (every page is refetched, so a delivered message also changes state).
 */
export function useConversation(profileId: number, pageSize = 50, poll = true) {
  return useInfiniteQuery({
    queryKey: [...MESSAGES_KEY, 'profile', profileId, pageSize],
    queryFn: ({ pageParam }) => api<ConversationPage>('GET', `/profiles/${profileId}/messages${queryString({ limit: pageSize, before: pageParam ?? undefined })}`),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before,
    refetchInterval: poll ? 2000 : false,
    enabled: profileId > 0,
  });
}

export function useSendMessage(profileId: number) {
  const invalidate = useInvalidateMessaging();
  return useMutation({
    mutationFn: (body: string) => api<Message>('POST', `/profiles/${profileId}/messages`, { body }),
    // A refusal also means the profile changed (e.g. a STOP arrived): show the conversation as it is now. Not awaited,
    // so the refusal and its reason show at once rather than after every refetch.
    onSettled: () => {
      void invalidate();
    },
  });
}

/**
 * Marks every flagged message of a conversation as looked at. The inbox lists a conversation by its latest message,
 * which need not be the flagged one (a reply may follow it), so the flagged ones are found in the conversation.
 */
async function clearPossibleOptOuts(profileId: number): Promise<void> {
  const recent = await api<ConversationPage>('GET', `/profiles/${profileId}/messages${queryString({ limit: 200 })}`);
  for (const message of recent.data) {
    if (message.direction === 'inbound' && message.possible_opt_out) await api<Message>('POST', `/messages/${message.id}/dismiss-possible-opt-out`);
  }
}

/**
 * Opt a profile out of everything, by staff, naming where they did it (SPEC §3). From the Inbox, confirming a possible
 * opt-out also settles the flags that asked for it, so the conversation leaves the Possible opt-outs filter.
 */
export function useOptOutProfile() {
  const invalidate = useInvalidateMessaging();
  return useMutation({
    mutationFn: async ({ profileId, reason, settlePossibleOptOuts = false }: { profileId: number; reason: 'Opt-out from Inbox' | 'Opt-out from profile'; settlePossibleOptOuts?: boolean }) => {
      await api<unknown>('POST', `/profiles/${profileId}/opt-out`, { reason });
      if (settlePossibleOptOuts) await clearPossibleOptOuts(profileId);
    },
    onSettled: invalidate,
  });
}

export function useInbox(params: { page: number; per_page: number; possibleOptOut: boolean }) {
  return useQuery({
    queryKey: [...INBOX_KEY, params],
    queryFn: () =>
      api<InboxPage>('GET', `/inbox${queryString({ page: params.page, per_page: params.per_page, possible_opt_out: params.possibleOptOut ? 'true' : undefined })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 3000,
  });
}

/** "Not an opt-out": clears a conversation's possible opt-out flags (all of them: the person looked at the conversation). */
export function useDismissPossibleOptOuts() {
  const invalidate = useInvalidateMessaging();
  return useMutation({ mutationFn: clearPossibleOptOuts, onSettled: invalidate });
}

export function useSimulatorState() {
  return useQuery({ queryKey: [...SIMULATOR_KEY, 'state'], queryFn: () => api<SimulatorState>('GET', '/simulator'), staleTime: 60_000, retry: false });
}

/** The thread of one phone number as the simulated phone sees it, oldest first. */
export function useSimulatorThread(number: string, enabled: boolean) {
  return useQuery({
    queryKey: [...SIMULATOR_KEY, 'thread', number],
    queryFn: async () => (await api<{ data: Message[] }>('GET', `/simulator/messages${queryString({ number })}`)).data,
    enabled: enabled && number.trim() !== '',
    refetchInterval: 2000,
    retry: false,
  });
}

export function useSendFromPhone() {
  const invalidate = useInvalidateMessaging();
  return useMutation({
    mutationFn: (input: { from: string; body: string }) => api<SimulatedInbound>('POST', '/simulator/messages', input),
    onSuccess: invalidate,
  });
}
