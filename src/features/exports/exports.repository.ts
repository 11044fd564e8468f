import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, ExportsTable } from '../../db/schema.js';
import type { ProfileListQuery } from '../profiles/profile-list-query.js';
import { matching } from '../profiles/profile-list.repository.js';
import { EXPORT_PROFILE_COLUMNS, type ExportRow } from './export-columns.js';

/** The exports read model (no selectAll on API paths). */
const EXPORT_COLUMNS = [
  'id', 'name', 'created_by_type', 'created_by_id', 'created_by_label', 'parameters', 'status', 'progress', 'progress_total',
  'row_count', 'file_name', 'file_bytes', 'error', 'job_id', 'created_at', 'started_at', 'finished_at', 'expires_at',
] as const;

export type ExportRecord = Pick<ExportsTable, Exclude<(typeof EXPORT_COLUMNS)[number], 'id' | 'progress'>> & { id: number; progress: number };
export type ExportStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';
export const UNFINISHED: ExportStatus[] = ['queued', 'running'];

export async function insertExport(
  db: Kysely<DB>,
  companyId: number,
  values: Pick<ExportsTable, 'name' | 'created_by_type' | 'created_by_id' | 'created_by_label' | 'parameters' | 'file_name' | 'created_at'>,
): Promise<number> {
  const row = await db.insertInto('exports').values({ company_id: companyId, ...values, status: 'queued' }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export function setJobId(db: Kysely<DB>, companyId: number, exportId: number, jobId: number) {
  return db.updateTable('exports').set({ job_id: jobId }).where('company_id', '=', companyId).where('id', '=', exportId).execute();
}

export async function findExport(db: Kysely<DB>, companyId: number, exportId: number): Promise<ExportRecord | undefined> {
  return (await db.selectFrom('exports').select(EXPORT_COLUMNS).where('company_id', '=', companyId).where('id', '=', exportId).executeTakeFirst()) as ExportRecord | undefined;
}

/** Newest first; `beforeId` pages backwards. */
export async function listExports(db: Kysely<DB>, companyId: number, options: { beforeId?: number; limit: number }): Promise<ExportRecord[]> {
  let query = db.selectFrom('exports').select(EXPORT_COLUMNS).where('company_id', '=', companyId);
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return (await query.orderBy('id', 'desc').limit(options.limit).execute()) as ExportRecord[];
}

const changed = (result: { numUpdatedRows: bigint }) => result.numUpdatedRows > 0n;

/** An attempt begins, under a fresh token that fences its later writes; false if the export was deleted or finished. */
export async function markRunning(db: Kysely<DB>, companyId: number, exportId: number, at: string, runToken: string): Promise<boolean> {
  const result = await db
    .updateTable('exports')
    .set({ status: 'running', started_at: at, progress: 0, progress_total: null, error: null, run_token: runToken })
    .where('company_id', '=', companyId).where('id', '=', exportId).where('status', 'in', UNFINISHED)
    .executeTakeFirst();
  return changed(result);
}

/** The export's row as long as this attempt still owns it (not deleted, not taken over by a newer attempt). */
function owned(db: Kysely<DB>, companyId: number, exportId: number, runToken: string) {
  return db.updateTable('exports').where('company_id', '=', companyId).where('id', '=', exportId).where('status', '=', 'running').where('run_token', '=', runToken);
}

/** Records progress; false when this attempt no longer owns the export. */
export async function setProgress(db: Kysely<DB>, companyId: number, exportId: number, runToken: string, progress: number, total: number): Promise<boolean> {
  return changed(await owned(db, companyId, exportId, runToken).set({ progress, progress_total: total }).executeTakeFirst());
}

export async function markDone(
  db: Kysely<DB>,
  companyId: number,
  exportId: number,
  runToken: string,
  values: { rows: number; bytes: number; finishedAt: string; expiresAt: string },
): Promise<boolean> {
  const result = await owned(db, companyId, exportId, runToken)
    .set({ status: 'done', progress: values.rows, progress_total: values.rows, row_count: values.rows, file_bytes: values.bytes, finished_at: values.finishedAt, expires_at: values.expiresAt, error: null, run_token: null })
    .executeTakeFirst();
  return changed(result);
}

/** Fails the attempt's export (with `runToken`), or any unfinished export (without: its job failed for good). */
export async function markFailed(db: Kysely<DB>, companyId: number, exportId: number, error: string, at: string, runToken?: string): Promise<boolean> {
  const base = runToken === undefined
    ? db.updateTable('exports').where('company_id', '=', companyId).where('id', '=', exportId).where('status', 'in', UNFINISHED)
    : owned(db, companyId, exportId, runToken);
  return changed(await base.set({ status: 'failed', error, finished_at: at, run_token: null }).executeTakeFirst());
}

/** Back in the queue (a retry after an error, or a worker that shut down), keeping what went wrong for people to see. */
export async function markQueued(db: Kysely<DB>, companyId: number, exportId: number, runToken: string, error: string | null): Promise<boolean> {
  return changed(await owned(db, companyId, exportId, runToken).set({ status: 'queued', error, run_token: null }).executeTakeFirst());
}

export async function markExpired(db: Kysely<DB>, companyId: number, exportId: number, note: string | null = null): Promise<boolean> {
  const result = await db
    .updateTable('exports')
    .set({ status: 'expired', ...(note ? { error: note } : {}) })
    .where('company_id', '=', companyId).where('id', '=', exportId).where('status', '=', 'done')
    .executeTakeFirst();
  return changed(result);
}

export function deleteExportRow(db: Kysely<DB>, companyId: number, exportId: number) {
  return db.deleteFrom('exports').where('company_id', '=', companyId).where('id', '=', exportId).execute();
}

/** Finished exports whose time is up. */
export function dueForExpiry(db: Kysely<DB>, companyId: number, now: string) {
  return db
    .selectFrom('exports').select(['id', 'file_name'])
    .where('company_id', '=', companyId).where('status', '=', 'done').where('expires_at', '<=', now)
    .execute();
}

/** Unfinished exports whose job has failed for good (e.g. its worker died on the last attempt and never said so). */
export function unfinishedWithFailedJob(db: Kysely<DB>, companyId: number) {
  return db
    .selectFrom('exports as e')
    .innerJoin('jobs as j', (join) => join.onRef('j.company_id', '=', 'e.company_id').onRef('j.id', '=', 'e.job_id'))
    .select(['e.id', 'e.file_name', 'j.error'])
    .where('e.company_id', '=', companyId).where('e.status', 'in', UNFINISHED).where('j.status', '=', 'failed')
    .execute();
}

/**
 * The export's rows in list order (first seen, ties by id), a chunk at a time, each row the array of its values in
 * EXPORT_ROW_COLUMNS order; each profile's custom values come as [[field id, value]] from a correlated subquery in the
 * same statement, so rows and values are one snapshot and no second query runs while the stream is open. The query
 * is the list's own (matching), built by Kysely; the dialect's streaming read runs it (Database.streamChunks).
 */
export function exportRowChunks(database: Database, companyId: number, query: ProfileListQuery, chunkRows: number): AsyncGenerator<unknown[][], void, undefined> {
  const customValues =
    database.engine === 'postgres'
      ? sql<ExportRow['custom_values']>`(SELECT json_agg(json_build_array(v.field_id, v.value_text)) FROM profile_field_values v WHERE v.company_id = p.company_id AND v.profile_id = p.id)`
      : sql<ExportRow['custom_values']>`(SELECT json_group_array(json_array(v.field_id, v.value_text)) FROM profile_field_values v WHERE v.company_id = p.company_id AND v.profile_id = p.id)`;
  const dir = query.order;
  const compiled = matching(database, database.db, companyId, query)
    .select(EXPORT_PROFILE_COLUMNS.map((c) => `p.${c}` as const))
    .select(customValues.as('custom_values'))
    .orderBy('p.created_at', dir)
    .orderBy('p.id', dir)
    .compile();
  return database.streamChunks(compiled, chunkRows);
}
