import type { Kysely, Selectable, Updateable } from 'kysely';
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

// Rows per INSERT statement: 5 columns × 1,000 stays under SQLite's bound-parameter limit.
const INSERT_CHUNK = 1000;

export async function insertStagedRows(db: Kysely<DB>, companyId: number, uploadId: number, rows: readonly StagedRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db.insertInto('upload_rows').values(rows.slice(i, i + INSERT_CHUNK).map((r) => ({ company_id: companyId, upload_id: uploadId, ...r }))).execute();
  }
}

export async function insertRejections(db: Kysely<DB>, companyId: number, uploadId: number, rows: readonly Rejection[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db.insertInto('upload_rejections').values(rows.slice(i, i + INSERT_CHUNK).map((r) => ({ company_id: companyId, upload_id: uploadId, ...r }))).execute();
  }
}

/** Forgets everything an earlier staging attempt wrote (a restart begins afresh). */
export async function clearStaging(db: Kysely<DB>, companyId: number, uploadId: number): Promise<void> {
  await db.deleteFrom('upload_rows').where('company_id', '=', companyId).where('upload_id', '=', uploadId).execute();
  await db.deleteFrom('upload_rejections').where('company_id', '=', companyId).where('upload_id', '=', uploadId).execute();
}

/** The next staged rows after `afterRow`, in file order. */
export async function nextStagedRows(db: Kysely<DB>, companyId: number, uploadId: number, afterRow: number, limit: number): Promise<StagedRow[]> {
  const rows = await db
    .selectFrom('upload_rows')
    .select(['row_number', 'phone_number', 'input'])
    .where('company_id', '=', companyId).where('upload_id', '=', uploadId).where('row_number', '>', afterRow)
    .orderBy('row_number')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, row_number: Number(r.row_number) }));
}

/** For each of these numbers, the last row of the file that has it. */
export async function lastRowOfPhones(db: Kysely<DB>, companyId: number, uploadId: number, phones: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < phones.length; i += INSERT_CHUNK) {
    const rows = await db
      .selectFrom('upload_rows')
      .select(['phone_number', (eb) => eb.fn.max('row_number').as('last')])
      .where('company_id', '=', companyId).where('upload_id', '=', uploadId).where('phone_number', 'in', phones.slice(i, i + INSERT_CHUNK))
      .groupBy('phone_number')
      .execute();
    for (const r of rows) out.set(r.phone_number, Number(r.last));
  }
  return out;
}

export function deleteStagedThrough(db: Kysely<DB>, companyId: number, uploadId: number, throughRow: number) {
  return db.deleteFrom('upload_rows').where('company_id', '=', companyId).where('upload_id', '=', uploadId).where('row_number', '<=', throughRow).execute();
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
