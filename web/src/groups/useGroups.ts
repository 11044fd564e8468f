import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, queryString } from '../api/client';
import type { Group, GroupChange, GroupKind, GroupPage, NewGroup } from './types';

export const GROUPS_KEY = ['groups'] as const;

/** One page of the company's groups, optionally of one kind. */
export function useGroups(params: { page: number; perPage: number; kind?: GroupKind }) {
  return useQuery({
    queryKey: [...GROUPS_KEY, 'list', params],
    queryFn: () => api<GroupPage>('GET', `/groups${queryString({ page: params.page, per_page: params.perPage, kind: params.kind })}`),
    placeholderData: keepPreviousData,
  });
}

/** One group by id; a 404 comes back as the query's error. */
export function useGroup(id: number | null) {
  return useQuery({
    enabled: id !== null,
    queryKey: [...GROUPS_KEY, 'one', id],
    queryFn: () => api<Group>('GET', `/groups/${id}`),
    retry: false,
  });
}

// Member counts, the list and the profiles shown all change with any group write.
function useInvalidateGroups() {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: GROUPS_KEY });
    await queryClient.invalidateQueries({ queryKey: ['profiles'] });
  };
}

export function useCreateGroup() {
  const invalidate = useInvalidateGroups();
  return useMutation({ mutationFn: (group: NewGroup) => api<Group>('POST', '/groups', group), onSuccess: invalidate });
}

export function useUpdateGroup(id: number) {
  const invalidate = useInvalidateGroups();
  return useMutation({ mutationFn: (change: GroupChange) => api<Group>('PATCH', `/groups/${id}`, change), onSuccess: invalidate });
}

export function useDeleteGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>('DELETE', `/groups/${id}`),
    onSuccess: (_answer, id) => {
      queryClient.removeQueries({ queryKey: [...GROUPS_KEY, 'one', id] });
      return queryClient.invalidateQueries({ queryKey: [...GROUPS_KEY, 'list'] });
    },
  });
}

/** Adds profiles to an uploaded group; answers how many were not members before. */
export function useAddMembers() {
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: ({ groupId, profileIds }: { groupId: number; profileIds: number[] }) =>
      api<{ added: number }>('POST', `/groups/${groupId}/members`, { profile_ids: profileIds }),
    onSuccess: invalidate,
  });
}

/** Removes profiles from an uploaded group (the profiles themselves stay). */
export function useRemoveMembers(id: number) {
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: (profileIds: number[]) => api<{ removed: number }>('DELETE', `/groups/${id}/members`, { profile_ids: profileIds }),
    onSuccess: invalidate,
  });
}
