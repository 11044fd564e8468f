import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { AuditRecord, CustomFieldValue, Profile } from '../api/types';

export function useProfile(id: number) {
  return useQuery({ queryKey: ['profile', id], queryFn: () => api<Profile>('GET', `/profiles/${id}`), retry: false });
}

export function useProfileAudit(id: number) {
  return useQuery({
    queryKey: ['audit', 'profile', id],
    queryFn: async () => (await api<{ data: AuditRecord[] }>('GET', `/audit-log?entity_type=profile&entity_id=${id}&limit=100`)).data,
  });
}

/** The fields a person may change (everything else Roster sets itself). */
export type ProfileChanges = Partial<Record<'phone_number' | 'email' | 'first_name' | 'last_name' | 'street1' | 'street2' | 'city' | 'state' | 'postal_code' | 'country', string | null>> & {
  custom_fields?: Record<string, CustomFieldValue>;
};

export function useUpdateProfile(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: ProfileChanges) => api<Profile>('PATCH', `/profiles/${id}`, changes),
    onSuccess: async (profile) => {
      queryClient.setQueryData(['profile', id], profile);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['audit', 'profile', id] }),
        queryClient.invalidateQueries({ queryKey: ['profiles'] }),
      ]);
    },
  });
}

export function useDeleteProfile(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('DELETE', `/profiles/${id}`),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['profile', id] });
      await queryClient.invalidateQueries({ queryKey: ['profiles'] });
    },
  });
}
