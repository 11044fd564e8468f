import type { Database } from '../../db/database.js';
import { listCustomFields } from '../custom-fields/custom-fields.service.js';
import type { ProfileListQuery } from '../profiles/profile-list-query.js';
import { csvRecord } from './csv-cells.js';
import { type ExportContext, exportHeader, exportRecordFormatter, type ExportRow, PROFILES_TABLE_CONTEXT, readExportRow } from './export-columns.js';
import type { WriteText } from './export-files.js';
import { exportRowChunks } from './exports.repository.js';

export interface WriteProfilesCsvOptions {
  /** Rows per chunk: one cursor fetch (PostgreSQL) and one file write. */
  chunkRows?: number;
  context?: ExportContext;
  signal?: AbortSignal;
  /** After each chunk is written, with the rows written so far; throwing stops the export. */
  onChunk?: (rowsWritten: number) => Promise<void> | void;
}

/**
 * Small enough that little of each chunk is still alive when V8 collects the young generation, so almost nothing is
 * promoted and the worker's peak memory is the same at 100k rows as at 1M (at 1,000 rows a chunk, promoted garbage
 * built up to ~90 MB before a full collection at 1M rows); large enough that per-chunk costs do not show (bench/export.ts).
 */
export const DEFAULT_CHUNK_ROWS = 250;

/**
 * Writes the profiles matching `query` as CSV (SPEC §6): the header, then every row in list order. Rows are streamed
 * (a cursor on PostgreSQL, a second read-only handle on SQLite) and written a chunk at a time, the next chunk read
 * only once the last is written, so memory holds one chunk whatever the number of rows. Answers the rows written.
 */
export async function writeProfilesCsv(database: Database, companyId: number, query: ProfileListQuery, write: WriteText, options: WriteProfilesCsvOptions = {}): Promise<number> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const context = options.context ?? PROFILES_TABLE_CONTEXT;
  const fields = await listCustomFields(database, companyId);
  const toRecord = exportRecordFormatter(fields, context);
  await write(csvRecord(exportHeader(fields, context)));
  options.signal?.throwIfAborted();

  let rows = 0;
  const row = {} as ExportRow;
  for await (const chunk of exportRowChunks(database, companyId, query, chunkRows)) {
    let text = '';
    for (const values of chunk) text += csvRecord(toRecord(readExportRow(values, row)));
    await write(text);
    rows += chunk.length;
    options.signal?.throwIfAborted();
    await options.onChunk?.(rows);
  }
  return rows;
}
