import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, queryString } from '../api/client';
import { type BlacklistEntry, type BlacklistPage, MANUAL_OPT_OUT_BATCH, type ManualOptOutResult } from './types';

const BLACKLIST_KEY = ['blacklist'] as const;

/** Opt-outs move profiles' statuses, so the profile screens refetch too. */
function useInvalidateOptOuts() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: BLACKLIST_KEY }),
      queryClient.invalidateQueries({ queryKey: ['profile'] }),
      queryClient.invalidateQueries({ queryKey: ['profiles'] }),
      queryClient.invalidateQueries({ queryKey: ['messages'] }),
      queryClient.invalidateQueries({ queryKey: ['inbox'] }),
    ]);
}

export function useBlacklist(page: number, perPage: number) {
  return useQuery({
    queryKey: [...BLACKLIST_KEY, page, perPage],
    queryFn: () => api<BlacklistPage>('GET', `/blacklist${queryString({ page, per_page: perPage })}`),
    placeholderData: keepPreviousData,
  });
}

export function useAddToBlacklist() {
  const invalidate = useInvalidateOptOuts();
  return useMutation({
    mutationFn: (input: { phone_number: string; note: string | null }) => api<{ entry: BlacklistEntry; profile_id: number | null }>('POST', '/blacklist', input),
    onSuccess: invalidate,
  });
}

export function useRemoveFromBlacklist() {
  const invalidate = useInvalidateOptOuts();
  return useMutation({ mutationFn: (id: number) => api<void>('DELETE', `/blacklist/${id}`), onSuccess: invalidate });
}

/** Manual Opt-Out of a list of numbers, in requests of at most the API's limit; results in the order given. */
export function useManualOptOut() {
  const invalidate = useInvalidateOptOuts();
  return useMutation({
    mutationFn: async (numbers: string[]) => {
      const results: ManualOptOutResult[] = [];
      for (let i = 0; i < numbers.length; i += MANUAL_OPT_OUT_BATCH) {
        const batch = numbers.slice(i, i + MANUAL_OPT_OUT_BATCH);
        results.push(...(await api<{ data: ManualOptOutResult[] }>('POST', '/opt-outs', { phone_numbers: batch })).data);
      }
      return results;
    },
    onSuccess: invalidate,
  });
}
