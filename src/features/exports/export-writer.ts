import { stringify } from 'csv-stringify/sync';
import type { Database } from '../../db/database.js';
import { listCustomFields } from '../custom-fields/custom-fields.service.js';
import type { ProfileListQuery } from '../profiles/profile-list-query.js';
import { type ExportContext, exportHeader, exportRecordFormatter, PROFILES_TABLE_CONTEXT } from './export-columns.js';
import type { WriteText } from './export-files.js';
import { streamExportRows } from './exports.repository.js';

export interface WriteProfilesCsvOptions {
  /** Rows per chunk: one cursor fetch (PostgreSQL), one csv-stringify call and one file write. */
  chunkRows?: number;
  context?: ExportContext;
  signal?: AbortSignal;
  /** After each chunk is written, with the rows written so far; throwing stops the export. */
  onChunk?: (rowsWritten: number) => Promise<void> | void;
}

export const DEFAULT_CHUNK_ROWS = 1000;

// RFC 4180: CRLF between records, fields quoted only when they hold a comma, a quote or a line break.
const CSV_OPTIONS = { record_delimiter: 'windows' } as const;

/**
 * Writes the profiles matching `query` as CSV (SPEC §6): the header, then every row in list order. Rows are streamed
 * from a reader of their own (a cursor on PostgreSQL, a second read-only handle on SQLite) and written a chunk at a
 * time, so memory holds one chunk whatever the number of rows. Answers how many rows were written.
 */
export async function writeProfilesCsv(database: Database, companyId: number, query: ProfileListQuery, write: WriteText, options: WriteProfilesCsvOptions = {}): Promise<number> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const context = options.context ?? PROFILES_TABLE_CONTEXT;
  const fields = await listCustomFields(database, companyId);
  const toRecord = exportRecordFormatter(fields, context);
  await write(stringify([exportHeader(fields, context)], CSV_OPTIONS));
  options.signal?.throwIfAborted();

  const reader = database.openStreamReader();
  let rows = 0;
  let chunk: string[][] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const text = stringify(chunk, CSV_OPTIONS);
    rows += chunk.length;
    chunk = [];
    await write(text);
    options.signal?.throwIfAborted();
    await options.onChunk?.(rows);
  };
  try {
    for await (const row of streamExportRows(database, reader.db, companyId, query, chunkRows)) {
      chunk.push(toRecord(row));
      if (chunk.length >= chunkRows) await flush();
    }
    await flush();
  } finally {
    await reader.close();
  }
  return rows;
}
