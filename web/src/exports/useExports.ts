import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

/** An export as GET /api/v1/exports shows it (src/features/exports/exports.routes.ts). */
export interface ProfileExport {
  id: number;
  name: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  parameters: Record<string, string | string[]>;
  progress: number;
  progress_total: number | null;
  row_count: number | null;
  file_bytes: number | null;
  error: string | null;
  created_by: { type: string; id: number | null; label: string };
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  expires_at: string | null;
  download_url: string | null;
}

/** The list parameters Save as CSV sends: the Profiles table's own (search, filters, sort), without paging. */
export interface ExportRequest {
  search?: string;
  subscription_status?: string;
  first_seen_type?: string;
  undeliverable_reason?: string;
  custom_field?: string[];
  order?: string;
}

export const EXPORTS_KEY = ['exports'] as const;

const unfinished = (e: ProfileExport) => e.status === 'queued' || e.status === 'running';

/** The company's exports, newest first; polled every second while one is being written. */
export function useExports(enabled = true) {
  return useQuery({
    enabled,
    queryKey: EXPORTS_KEY,
    queryFn: async () => (await api<{ data: ProfileExport[] }>('GET', '/exports?limit=100')).data,
    refetchInterval: (query) => (query.state.data?.some(unfinished) ? 1000 : false),
  });
}

export function useCreateExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: ExportRequest) => api<ProfileExport>('POST', '/exports', request),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: EXPORTS_KEY }),
  });
}

export function useDeleteExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>('DELETE', `/exports/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: EXPORTS_KEY }),
  });
}
