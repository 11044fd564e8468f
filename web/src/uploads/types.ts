/** Shapes of the uploads API's answers (src/features/uploads/*.routes.ts). */

export type UploadStatus = 'queued' | 'running' | 'done' | 'failed';

/** Where each row of the file ended; created + updated + unchanged + rejected = rows. */
export interface UploadCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Of the rejected rows, those whose number appears again later in the file (the later row is used). */
  duplicates: number;
}

/** Column header → field key, or null for a skipped column. */
export type UploadMapping = Record<string, string | null>;

export interface Upload {
  id: number;
  file_name: string;
  group_id: number | null;
  group_name: string;
  status: UploadStatus;
  /** staging (reading and checking the file), merging (writing profiles) or finished. */
  phase: string;
  error: string | null;
  bytes_total: number;
  bytes_done: number;
  rows_done: number;
  /** 0 to 1 over the whole job, both phases. */
  progress: number;
  counts: UploadCounts;
  mapping: UploadMapping | null;
  encoding: string | null;
  delimiter: string | null;
  created_by: { type: string; id: number | null; label: string };
  created_at: string;
  finished_at: string | null;
  rejected_url: string | null;
}

export interface PreviewColumn {
  index: number;
  header: string;
  /** The field the server would map this column to by its name; null when it would skip it. */
  field: string | null;
}

/** What the server read from the start of a file, before anything is stored. */
export interface UploadPreview {
  encoding: string;
  delimiter: string;
  columns: PreviewColumn[];
  rows: string[][];
  /** Every field a column can map to: standard fields, then the company's custom fields. */
  fields: { key: string; label: string }[];
}
