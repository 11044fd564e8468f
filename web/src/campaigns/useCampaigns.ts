import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, queryString } from '../api/client';
import type { Campaign, CampaignDetail, OptInPath, OptInPathInput, SubscribeResult, SubscriberPage } from './types';

export const CAMPAIGNS_KEY = ['campaigns'] as const;

/** Everything a change to campaigns or subscriptions can move: lists, counts, profiles and their statuses. */
function useInvalidateCampaigns() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: CAMPAIGNS_KEY }),
      queryClient.invalidateQueries({ queryKey: ['profile'] }),
      queryClient.invalidateQueries({ queryKey: ['profiles'] }),
      queryClient.invalidateQueries({ queryKey: ['audit'] }),
    ]);
}

export function useCampaigns(status?: 'active' | 'ended') {
  return useQuery({
    queryKey: [...CAMPAIGNS_KEY, 'list', status ?? 'all'],
    queryFn: async () => (await api<{ data: Campaign[] }>('GET', `/campaigns${queryString({ status })}`)).data,
  });
}

export function useCampaign(id: number) {
  return useQuery({ queryKey: [...CAMPAIGNS_KEY, 'one', id], queryFn: () => api<CampaignDetail>('GET', `/campaigns/${id}`), retry: false, refetchInterval: 5000 });
}

export function useOptInPaths(campaignId: number) {
  return useQuery({
    queryKey: [...CAMPAIGNS_KEY, 'paths', campaignId],
    queryFn: async () => (await api<{ data: OptInPath[] }>('GET', `/opt-in-paths${queryString({ campaign_id: campaignId })}`)).data,
  });
}

export function useCampaignSubscribers(campaignId: number, params: { page: number; per_page: number; status?: string }) {
  return useQuery({
    queryKey: [...CAMPAIGNS_KEY, 'subscribers', campaignId, params],
    queryFn: () => api<SubscriberPage>('GET', `/campaigns/${campaignId}/subscriptions${queryString(params)}`),
    placeholderData: keepPreviousData,
    // Keyword texts from phones add subscribers while the page is open.
    refetchInterval: 5000,
  });
}

export function useSaveCampaign(id?: number) {
  const invalidate = useInvalidateCampaigns();
  return useMutation({
    mutationFn: (input: { name: string; description: string | null }) =>
      id === undefined ? api<Campaign>('POST', '/campaigns', input) : api<Campaign>('PATCH', `/campaigns/${id}`, input),
    onSuccess: invalidate,
  });
}

export function useEndCampaign(id: number) {
  const invalidate = useInvalidateCampaigns();
  return useMutation({ mutationFn: () => api<Campaign>('POST', `/campaigns/${id}/end`), onSuccess: invalidate });
}

export function useDeleteCampaign(id: number) {
  const invalidate = useInvalidateCampaigns();
  return useMutation({ mutationFn: () => api<void>('DELETE', `/campaigns/${id}`), onSuccess: invalidate });
}

export function useSaveOptInPath(campaignId: number, pathId?: number) {
  const invalidate = useInvalidateCampaigns();
  return useMutation({
    mutationFn: (input: OptInPathInput) =>
      pathId === undefined ? api<OptInPath>('POST', `/campaigns/${campaignId}/opt-in-paths`, input) : api<OptInPath>('PATCH', `/opt-in-paths/${pathId}`, input),
    onSuccess: invalidate,
  });
}

export function useDeleteOptInPath() {
  const invalidate = useInvalidateCampaigns();
  return useMutation({ mutationFn: (pathId: number) => api<void>('DELETE', `/opt-in-paths/${pathId}`), onSuccess: invalidate });
}

export function useSubscribe() {
  const invalidate = useInvalidateCampaigns();
  return useMutation({
    mutationFn: ({ campaignId, profileId, optInPathId }: { campaignId: number; profileId: number; optInPathId?: number | null }) =>
      api<SubscribeResult>('POST', `/campaigns/${campaignId}/subscriptions`, { profile_id: profileId, opt_in_path_id: optInPathId ?? null }),
    onSuccess: invalidate,
  });
}

export function useRemoveSubscription() {
  const invalidate = useInvalidateCampaigns();
  return useMutation({ mutationFn: (subscriptionId: number) => api<unknown>('POST', `/subscriptions/${subscriptionId}/remove`), onSuccess: invalidate });
}
