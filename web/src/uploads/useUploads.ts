import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { GROUPS_KEY } from '../groups/useGroups';
import type { Upload, UploadMapping, UploadPreview } from './types';

export const UPLOADS_KEY = ['uploads'] as const;

/** The preview needs only the header and first rows: sending the first megabyte keeps it quick for a 50 MB file. */
export const PREVIEW_BYTES = 1 << 20;

const unfinished = (upload: Upload) => upload.status === 'queued' || upload.status === 'running';

/** The company's uploads, newest first; polled every second while one runs. */
export function useUploads() {
  return useQuery({
    queryKey: [...UPLOADS_KEY, 'list'],
    queryFn: async () => (await api<{ data: Upload[] }>('GET', '/uploads')).data,
    refetchInterval: (query) => (query.state.data?.some(unfinished) ? 1000 : false),
  });
}

/** One upload, polled every half second until it is done or failed (the progress bar follows it). */
export function useUpload(id: number | null) {
  const queryClient = useQueryClient();
  return useQuery({
    enabled: id !== null,
    queryKey: [...UPLOADS_KEY, 'one', id],
    queryFn: async () => {
      const upload = await api<Upload>('GET', `/uploads/${id}`);
      // Its end changes member counts and the Profiles table.
      if (!unfinished(upload)) {
        void queryClient.invalidateQueries({ queryKey: GROUPS_KEY });
        void queryClient.invalidateQueries({ queryKey: ['profiles'] });
        void queryClient.invalidateQueries({ queryKey: [...UPLOADS_KEY, 'list'] });
      }
      return upload;
    },
    retry: false,
    refetchInterval: (query) => (query.state.data && !unfinished(query.state.data) ? false : 500),
  });
}

/** Asks the server how it reads the start of a file: encoding, separator, columns and their fields. */
export function usePreviewUpload() {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file.slice(0, PREVIEW_BYTES), file.name);
      return api<UploadPreview>('POST', '/uploads/preview', form);
    },
  });
}

/** Sends the whole file with the group name and the confirmed mapping; the server answers the queued upload. */
export function useStartUpload() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, groupName, mapping }: { file: File; groupName: string; mapping: UploadMapping }) => {
      const form = new FormData();
      // The file goes last so the server knows the name and mapping before it streams the rows.
      form.append('group_name', groupName);
      form.append('mapping', JSON.stringify(mapping));
      form.append('file', file, file.name);
      return api<Upload>('POST', '/uploads', form);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: UPLOADS_KEY }),
  });
}
