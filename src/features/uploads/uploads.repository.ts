import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import { type BulkColumns, bulkRows } from '../../db/bulk.js';
import type { DbScope } from '../../db/scope.js';
import type { DB, UploadsTable } from '../../db/schema.js';

/** The uploads read model (no selectAll on API paths). */
const UPLOAD_COLUMNS = [
  'id', 'file_name', 'stored_name', 'group_id', 'group_name', 'status', 'phase', 'error', 'mapping', 'encoding', 'delimiter',
  'bytes_total', 'bytes_done', 'rows_total', 'rows_done', 'merged_through', 'created_count', 'updated_count', 'unchanged_count',
  'rejected_count', 'duplicate_count', 'created_by_type', 'created_by_id', 'created_by_label', 'job_id', 'created_at', 'started_at', 'finished_at',
] as const;
export type UploadRecord = Pick<Selectable<UploadsTable>, (typeof UPLOAD_COLUMNS)[number]>;
export type UploadStatus = 'queued' | 'running' | 'done' | 'failed';

export async function insertUpload(
  db: Kysely<DB>,
  companyId: number,
  values: Pick<UploadsTable, 'file_name' | 'stored_name' | 'group_id' | 'group_name' | 'mapping' | 'encoding' | 'delimiter' | 'created_by_type' | 'created_by_id' | 'created_by_label' | 'created_at'> & { bytes_total: number; status: UploadStatus },
): Promise<number> {
  const row = await db.insertInto('uploads').values({ company_id: companyId, ...values }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findUpload(db: Kysely<DB>, companyId: number, uploadId: number): Promise<UploadRecord | undefined> {
  return (await db.selectFrom('uploads').select(UPLOAD_COLUMNS).where('company_id', '=', companyId).where('id', '=', uploadId).executeTakeFirst()) as UploadRecord | undefined;
}

/** Newest first; `beforeId` pages backwards. */
export async function listUploads(db: Kysely<DB>, companyId: number, options: { beforeId?: number; limit: number }): Promise<UploadRecord[]> {
  let query = db.selectFrom('uploads').select(UPLOAD_COLUMNS).where('company_id', '=', companyId);
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return (await query.orderBy('id', 'desc').limit(options.limit).execute()) as UploadRecord[];
}

export function updateUpload(db: Kysely<DB>, companyId: number, uploadId: number, values: Omit<Updateable<UploadsTable>, 'id' | 'company_id'>) {
  return db.updateTable('uploads').set(values).where('company_id', '=', companyId).where('id', '=', uploadId).execute();
}

/** Adds to the counts (a merged batch), in the batch's transaction. */
export function addCounts(
  db: Kysely<DB>,
  companyId: number,
  uploadId: number,
  counts: { created: number; updated: number; unchanged: number; rejected: number; duplicates: number; mergedThrough: number },
) {
  return db
    .updateTable('uploads')
    .set((eb) => ({
      created_count: eb('created_count', '+', counts.created),
      updated_count: eb('updated_count', '+', counts.updated),
      unchanged_count: eb('unchanged_count', '+', counts.unchanged),
      rejected_count: eb('rejected_count', '+', counts.rejected),
      duplicate_count: eb('duplicate_count', '+', counts.duplicates),
      merged_through: counts.mergedThrough,
    }))
    .where('company_id', '=', companyId)
    .where('id', '=', uploadId)
    .execute();
}

export interface StagedRow {
  row_number: number;
  phone_number: string;
  input: string;
}

export interface Rejection {
  row_number: number;
  position: number;
  column_name: string;
  value: string;
  reason: string;
}

// Rows per INSERT statement (bulkRows: one parameter whatever the rows); a statement holds SQLite's event loop while it runs.
const INSERT_CHUNK = 2000;

const STAGED_COLUMNS = [['row_number', 'bigint'], ['phone_number', 'text'], ['input', 'text']] as const satisfies BulkColumns;

export async function insertStagedRows(scope: DbScope, companyId: number, uploadId: number, rows: readonly StagedRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const values = rows.slice(i, i + INSERT_CHUNK).map((r) => [r.row_number, r.phone_number, r.input]);
    await sql`INSERT INTO upload_rows (company_id, upload_id, row_number, phone_number, input)
      SELECT ${companyId}, ${uploadId}, row_number, phone_number, input FROM ${bulkRows(scope.engine, 's', STAGED_COLUMNS, values)}`.execute(scope.db);
  }
}

const REJECTION_COLUMNS = [['row_number', 'bigint'], ['position', 'integer'], ['column_name', 'text'], ['value', 'text'], ['reason', 'text']] as const satisfies BulkColumns;

export async function insertRejections(scope: DbScope, companyId: number, uploadId: number, rows: readonly Rejection[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const values = rows.slice(i, i + INSERT_CHUNK).map((r) => [r.row_number, r.position, r.column_name, r.value, r.reason]);
    await sql`INSERT INTO upload_rejections (company_id, upload_id, row_number, position, column_name, value, reason)
      SELECT ${companyId}, ${uploadId}, row_number, position, column_name, value, reason FROM ${bulkRows(scope.engine, 'r', REJECTION_COLUMNS, values)}`.execute(scope.db);
  }
}

/** Forgets everything an earlier staging attempt wrote (a restart begins afresh). */
export async function clearStaging(db: Kysely<DB>, companyId: number, uploadId: number): Promise<void> {
  await db.deleteFrom('upload_rows').where('company_id', '=', companyId).where('upload_id', '=', uploadId).execute();
  await db.deleteFrom('upload_rejections').where('company_id', '=', companyId).where('upload_id', '=', uploadId).execute();
}

/**
 * The next staged rows after `afterRow`, in file order, each with the last row of the file that has its number (its
 * own when it is the last): the index on (upload, phone_number, row_number) answers each in one step.
 */
export async function nextStagedRows(db: Kysely<DB>, companyId: number, uploadId: number, afterRow: number, limit: number): Promise<Array<StagedRow & { last_row: number }>> {
  const rows = await db
    .selectFrom('upload_rows as u')
    .select(['u.row_number', 'u.phone_number', 'u.input'])
    .select((eb) => eb.selectFrom('upload_rows as later')
      .select((e) => e.fn.max('later.row_number').as('m'))
      .whereRef('later.company_id', '=', 'u.company_id').whereRef('later.upload_id', '=', 'u.upload_id').whereRef('later.phone_number', '=', 'u.phone_number')
      .as('last_row'))
    .where('u.company_id', '=', companyId).where('u.upload_id', '=', uploadId).where('u.row_number', '>', afterRow)
    .orderBy('u.row_number')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ row_number: Number(r.row_number), phone_number: r.phone_number, input: r.input, last_row: Number(r.last_row) }));
}

/** Forgets the staged rows after `afterRow` through `throughRow` (a merged batch). */
export function deleteStagedThrough(db: Kysely<DB>, companyId: number, uploadId: number, afterRow: number, throughRow: number) {
  // Bounded below too: PostgreSQL keeps earlier batches' deleted rows in the index until vacuumed, and a range open at
  // the bottom walked all of them again for every batch (0.4 s per batch at a million rows).
  return db.deleteFrom('upload_rows').where('company_id', '=', companyId).where('upload_id', '=', uploadId).where('row_number', '>', afterRow).where('row_number', '<=', throughRow).execute();
}

export async function countRejectedRows(db: Kysely<DB>, companyId: number, uploadId: number): Promise<number> {
  const row = await db
    .selectFrom('upload_rejections')
    .select((eb) => eb.fn.count<number>('row_number').distinct().as('n'))
    .where('company_id', '=', companyId).where('upload_id', '=', uploadId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The rejected-rows report, in row order, a page at a time (keyset on row and position). */
export async function rejectionsAfter(db: Kysely<DB>, companyId: number, uploadId: number, after: { row: number; position: number }, limit: number): Promise<Rejection[]> {
  const rows = await db
    .selectFrom('upload_rejections')
    .select(['row_number', 'position', 'column_name', 'value', 'reason'])
    .where('company_id', '=', companyId).where('upload_id', '=', uploadId)
    .where((eb) => eb(eb.refTuple('row_number', 'position'), '>', eb.tuple(after.row, after.position)))
    .orderBy('row_number').orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, row_number: Number(r.row_number), position: Number(r.position) }));
}
