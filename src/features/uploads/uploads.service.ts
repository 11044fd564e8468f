import { open, rm } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { isTransientConflict } from '../../db/scope.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { enqueueJob } from '../../jobs/queue.js';
import { nowIso } from '../../time.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { type Actor, recordAudit } from '../audit/audit.js';
import { customFieldContext } from '../custom-fields/custom-fields.service.js';
import { addMembersIn, uploadGroupNamed } from '../groups/groups.service.js';
import type { ProfileInput } from '../profiles/profile-input.js';
import { validateProfileInput } from '../profiles/profile-input.js';
import { type ProfileInputContext, profileInputContext, upsertValidProfilesInTransaction } from '../profiles/profiles.service.js';
import type { ValidProfileInput } from '../profiles/profile-input.js';
import type { CanonicalValue } from '../custom-fields/field-types.js';
import {
  binaryProblem, CUSTOM_PREFIX, type Delimiter, delimiterName, detectDelimiter, detectEncoding, firstLine, guessMapping, isUploadField,
  STANDARD_UPLOAD_FIELDS, unclosedQuoteLine, type UploadEncoding,
} from './csv-shape.js';
import { NotUtf8Error, readCsvBatches } from './upload-reader.js';
import * as repo from './uploads.repository.js';

/** What the uploads feature needs of the configuration. */
export type UploadSettings = Pick<Config, 'dataDir' | 'uploadMaxBytes'>;

export const UPLOAD_JOB = 'uploads.process';
export const UPLOAD_MAX_ATTEMPTS = 3;
/** How much of a file the preview and the up-front checks read. */
export const SAMPLE_BYTES = 1024 * 1024;
/**
 * Rows staged per transaction, and rows merged into profiles per transaction. Larger merge batches are cheaper per row
 * (SQLite rewrites fewer index and search-index pages per commit: 1,000 rows cost ~1.6× the time per row of 5,000,
 * and beyond 5,000 little changes), but on SQLite the server's other queries wait for the batch's transaction. A
 * staged batch is checked without a pause (phone numbers at 25–60 µs each), so it stays at a fraction of a second.
 */
const STAGE_BATCH = 5000;
export const MERGE_BATCH = 5000;
/** Longest value the rejected-rows report repeats from a cell. */
const REPORT_VALUE_CHARS = 1000;

/** What the person sees of a file before uploading it: its shape, first rows and the proposed mapping. */
export interface UploadPreview {
  encoding: UploadEncoding;
  delimiter: Delimiter;
  columns: Array<{ index: number; header: string; field: string | null }>;
  rows: string[][];
  fields: Array<{ key: string; label: string }>;
}

export interface UploadCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows not written, duplicates included: each has at least one line in the rejected-rows report. */
  rejected: number;
  /** Of the rejected rows, those whose number appears again later in the file (the later row is used). */
  duplicates: number;
}

/** An upload as the API shows it. */
export interface UploadView {
  id: number;
  file_name: string;
  group_id: number | null;
  group_name: string;
  status: repo.UploadStatus;
  /** staging (reading and checking the file), merging (writing profiles), finished. */
  phase: string;
  error: string | null;
  bytes_total: number;
  bytes_done: number;
  rows_done: number;
  /** 0 to 1 over the whole job: reading the file is the first 30 %, writing profiles the rest. */
  progress: number;
  counts: UploadCounts;
  mapping: Record<string, string | null>;
  encoding: string | null;
  delimiter: string | null;
  created_by: Actor;
  created_at: string;
  finished_at: string | null;
  rejected_url: string | null;
}

/** The field keys an upload can map a column to, with labels: standard fields, then `custom:<name>` per custom field. */
export function uploadFields(customFieldNames: readonly string[]): Array<{ key: string; label: string }> {
  return [...STANDARD_UPLOAD_FIELDS.map((f) => ({ key: f.key, label: f.label })), ...customFieldNames.map((n) => ({ key: CUSTOM_PREFIX + n, label: n }))];
}

interface FileShape {
  encoding: UploadEncoding;
  delimiter: Delimiter;
  headers: string[];
  rows: string[][];
}

/** Reads the shape of a file from its first bytes: encoding, separator, header and first rows; clear errors for what is not CSV. */
export function inspectSample(sample: Buffer, complete: boolean): FileShape {
  if (sample.length === 0) throw new AppError('invalid_input', 'The file is empty; it needs a header row and at least one row of data', { field: 'file' });
  const binary = binaryProblem(sample);
  if (binary) throw new AppError('invalid_input', binary, { field: 'file' });
  const encoding = detectEncoding(sample, complete);
  let text = encoding === 'utf-8' ? sample.toString('utf8') : iconv.decode(sample, 'win1252');
  // A cut sample ends mid-row: keep whole lines only (a quoted cell spanning the cut is then unclosed, and retried shorter below).
  if (!complete) {
    const cut = Math.max(text.lastIndexOf('\n'), 0);
    text = text.slice(0, cut);
  }
  const header = firstLine(text);
  if (!header.trim()) throw new AppError('invalid_input', 'The file’s first line is empty; it must be a header row naming the columns (e.g. phone_number,first_name,last_name)', { field: 'file' });
  const delimiter = detectDelimiter(header);
  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_empty_values: true, to: 11 }) as string[][];
  } catch (error) {
    const e = error as { code?: string; lines?: number; message?: string };
    if (e.code === 'CSV_QUOTE_NOT_CLOSED' && !complete) records = parse(text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1) || header, { delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to: 11 }) as string[][];
    else throw new AppError('invalid_input', e.code === 'CSV_QUOTE_NOT_CLOSED' ? `The file has an opening quote that is never closed (line ${unclosedQuoteLine(text) ?? e.lines ?? '?'}): every quoted cell must end with a quote` : `The file could not be read as CSV: ${e.message ?? String(error)}`, { field: 'file' });
  }
  const [headers = [], ...rows] = records;
  return { encoding, delimiter, headers: headers.map((h) => h.trim()), rows };
}

/**
 * Each column's field: the mapping given (by header; null skips the column) or else guessed from the header. Every
 * field at most once, and a phone column is required; every problem names the column, the value and what is accepted.
 */
export function resolveMapping(headers: readonly string[], given: Record<string, unknown> | undefined, customFieldNames: readonly string[]): Array<string | null> {
  const guessed = guessMapping(headers, customFieldNames);
  const problems: Array<{ field: string; value?: unknown; message: string }> = [];
  const accepted = uploadFields(customFieldNames).map((f) => f.key).join(', ');
  if (given) {
    for (const [header, field] of Object.entries(given)) {
      if (!headers.includes(header)) problems.push({ field: `mapping.${header}`, value: header, message: `names a column the file does not have (columns: ${headers.join(', ')})` });
      else if (field !== null && (typeof field !== 'string' || !isUploadField(field, customFieldNames))) problems.push({ field: `mapping.${header}`, value: field, message: `is not a field (accepted: null to skip the column, or ${accepted})` });
    }
  }
  const seen = new Set<string>();
  const columns = headers.map((header, index) => {
    // A header given twice: the mapping applies to its first column; later ones keep only what was guessed for them (nothing).
    const first = headers.indexOf(header) === index;
    const field = given && first && Object.hasOwn(given, header) ? (given[header] as string | null) : guessed[index]!;
    if (field === null) return null;
    if (seen.has(field)) {
      problems.push({ field: `mapping.${header}`, value: field, message: 'is already the field of an earlier column (accepted: each field once; null skips a column)' });
      return null;
    }
    seen.add(field);
    return field;
  });
  if (problems.length) throw invalidInput(problems);
  if (!columns.includes('phone_number')) {
    throw invalidInput([{ field: 'file', value: headers, message: `has no phone column: name one phone_number, phone, mobile or cell, or map a column to phone_number (columns: ${headers.join(', ') || 'none'})` }]);
  }
  return columns;
}

/** The mapping as the API shows it: header → field key or null. */
function mappingObject(headers: readonly string[], columns: ReadonlyArray<string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  headers.forEach((h, i) => {
    if (!Object.hasOwn(out, h)) out[h] = columns[i] ?? null;
  });
  return out;
}

/** POST /uploads/preview: the shape of the first bytes of a file and the mapping Roster proposes. */
export async function previewUpload(database: Database, companyId: number, sample: Buffer, complete: boolean): Promise<UploadPreview> {
  const shape = inspectSample(sample, complete);
  const names = (await customFieldContext(database, companyId)).fields.map((f) => f.name);
  const guessed = guessMapping(shape.headers, names);
  return {
    encoding: shape.encoding,
    delimiter: shape.delimiter,
    columns: shape.headers.map((header, index) => ({ index, header, field: guessed[index] ?? null })),
    rows: shape.rows.slice(0, 10),
    fields: uploadFields(names),
  };
}

async function readSample(path: string): Promise<{ sample: Buffer; size: number }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const sample = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    await handle.read(sample, 0, sample.length, 0);
    return { sample, size };
  } finally {
    await handle.close();
  }
}

function toView(record: repo.UploadRecord): UploadView {
  const n = (v: number | null) => Number(v ?? 0);
  const counts: UploadCounts = {
    rows: record.rows_total === null ? n(record.created_count) + n(record.updated_count) + n(record.unchanged_count) + n(record.rejected_count) : n(record.rows_total),
    created: n(record.created_count),
    updated: n(record.updated_count),
    unchanged: n(record.unchanged_count),
    rejected: n(record.rejected_count),
    duplicates: n(record.duplicate_count),
  };
  const accounted = counts.created + counts.updated + counts.unchanged + counts.rejected;
  const progress = record.status === 'done' ? 1
    : record.phase === 'merging' ? 0.3 + 0.7 * (counts.rows ? Math.min(1, accounted / counts.rows) : 1)
    : 0.3 * (n(record.bytes_total) ? Math.min(1, n(record.bytes_done) / n(record.bytes_total)) : 0);
  const stored = record.mapping ? (JSON.parse(record.mapping) as { mapping: Record<string, string | null> }) : null;
  return {
    id: record.id,
    file_name: record.file_name,
    group_id: record.group_id === null ? null : Number(record.group_id),
    group_name: record.group_name,
    status: record.status as repo.UploadStatus,
    phase: record.phase,
    error: record.error,
    bytes_total: n(record.bytes_total),
    bytes_done: n(record.bytes_done),
    rows_done: n(record.rows_done),
    progress: Math.round(progress * 1000) / 1000,
    counts,
    mapping: stored?.mapping ?? {},
    encoding: record.encoding,
    delimiter: record.delimiter === null ? null : delimiterName(record.delimiter as Delimiter),
    created_by: { type: record.created_by_type as Actor['type'], id: record.created_by_id === null ? null : Number(record.created_by_id), label: record.created_by_label },
    created_at: record.created_at,
    finished_at: record.finished_at,
    rejected_url: record.status === 'done' ? `/api/v1/uploads/${record.id}/rejected` : null,
  };
}

/** The input to an upload once its file is on disk: who, which group, the mapping asked for. */
export interface NewUpload {
  fileName: string;
  storedName: string;
  path: string;
  groupName: unknown;
  mapping?: Record<string, unknown>;
}

/**
 * Records an upload whose file is already on disk, after checking what can be checked at once (the file's shape, the
 * mapping, a phone column, the group), and queues its job in the same transaction; audited. Nothing is written when a
 * check fails. `queue: false` leaves the job to the caller (the command line runs it in-process).
 */
export async function createUpload(database: Database, companyId: number, actor: Actor, input: NewUpload, options: { queue: boolean } = { queue: true }): Promise<UploadView> {
  const { sample, size } = await readSample(input.path);
  const shape = inspectSample(sample, size <= SAMPLE_BYTES);
  const names = (await customFieldContext(database, companyId)).fields.map((f) => f.name);
  const columns = resolveMapping(shape.headers, input.mapping, names);
  const group = await uploadGroupNamed(database, companyId, actor, input.groupName);
  const mapping = mappingObject(shape.headers, columns);
  const id = await database.db.transaction().execute(async (trx) => {
    const uploadId = await repo.insertUpload(trx, companyId, {
      file_name: input.fileName.slice(0, 500) || 'upload.csv',
      stored_name: input.storedName,
      group_id: group.id,
      group_name: group.name,
      mapping: JSON.stringify({ mapping }),
      encoding: shape.encoding,
      delimiter: shape.delimiter,
      created_by_type: actor.type,
      created_by_id: actor.id,
      created_by_label: actor.label,
      created_at: nowIso(),
      bytes_total: size,
      status: 'queued',
    });
    if (options.queue) {
      const jobId = await enqueueJob({ db: trx }, companyId, { kind: UPLOAD_JOB, payload: { uploadId }, maxAttempts: UPLOAD_MAX_ATTEMPTS });
      await repo.updateUpload(trx, companyId, uploadId, { job_id: jobId });
    }
    await recordAudit(trx, companyId, actor, [{
      action: 'upload.created',
      entityType: 'upload',
      entityId: uploadId,
      changes: { file_name: { before: null, after: input.fileName }, group: { before: null, after: group.name }, bytes: { before: null, after: size }, mapping: { before: null, after: mapping } },
    }]);
    return uploadId;
  });
  return toView((await repo.findUpload(database.db, companyId, id))!);
}

export async function getUpload(database: Database, companyId: number, uploadId: number): Promise<UploadView> {
  const record = await repo.findUpload(database.db, companyId, uploadId);
  if (!record) throw notFound('Upload');
  return toView(record);
}

export async function listUploads(database: Database, companyId: number, options: { beforeId?: number; limit: number }): Promise<UploadView[]> {
  return (await repo.listUploads(database.db, companyId, options)).map(toView);
}

/** The rejected-rows report as CSV lines (header first), a page of rows at a time; 409 until the upload is done. */
export async function* rejectedReport(database: Database, companyId: number, uploadId: number): AsyncGenerator<string[], void, undefined> {
  const record = await repo.findUpload(database.db, companyId, uploadId);
  if (!record) throw notFound('Upload');
  if (record.status !== 'done') throw new AppError('conflict', `Upload ${uploadId} is ${record.status}; its rejected-rows report is ready once it is done`, { status: record.status });
  yield ['row_number', 'column', 'value', 'reason'];
  let after = { row: 0, position: -1 };
  for (;;) {
    const page = await repo.rejectionsAfter(database.db, companyId, uploadId, after, 5000);
    for (const r of page) yield [String(r.row_number), r.column_name, r.value, r.reason];
    if (page.length < 5000) return;
    const last = page[page.length - 1]!;
    after = { row: last.row_number, position: last.position };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Processing: stage (read, check, keep valid rows), then merge (write profiles in batches, each with its counts).

/** What processing reports as it goes (the job's progress, the command line's bar). */
export interface ProcessHooks {
  signal?: AbortSignal;
  onProgress?: (view: UploadView) => Promise<void> | void;
  /** Rows merged per transaction (default MERGE_BATCH); tests use small batches to cross batch boundaries. */
  mergeBatchRows?: number;
}

function clip(value: string): string {
  return value.length > REPORT_VALUE_CHARS ? `${value.slice(0, REPORT_VALUE_CHARS)}… (${value.length.toLocaleString('en-US')} characters)` : value;
}

interface ColumnPlan {
  headers: string[];
  columns: Array<string | null>;
  headerOf: Map<string, string>;
}

function planColumns(headers: string[], mapping: Record<string, string | null>): ColumnPlan {
  const columns = headers.map((h, i) => (headers.indexOf(h) === i ? (mapping[h] ?? null) : null));
  const headerOf = new Map<string, string>();
  columns.forEach((field, i) => {
    if (field) headerOf.set(field, headers[i]!);
  });
  return { headers, columns, headerOf };
}

/** A data row as a profile input: empty cells are left out, so they never erase what a profile has. */
function rowInput(plan: ColumnPlan, cells: readonly string[]): ProfileInput {
  const input: ProfileInput & Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  plan.columns.forEach((field, i) => {
    if (!field) return;
    const cell = (cells[i] ?? '').trim();
    if (field === 'phone_number') input.phone_number = cell;
    else if (cell === '') return;
    else if (field.startsWith(CUSTOM_PREFIX)) custom[field.slice(CUSTOM_PREFIX.length)] = cell;
    else input[field] = cell;
  });
  if (Object.keys(custom).length) input.custom_fields = custom;
  return input;
}

/** The column a validation problem is about, by the problem's field name (phone_number, email, custom_fields.<name>). */
function columnOf(plan: ColumnPlan, problemField: string): string {
  const key = problemField.startsWith('custom_fields.') ? CUSTOM_PREFIX + problemField.slice('custom_fields.'.length) : problemField;
  return plan.headerOf.get(key) ?? problemField;
}

function rejectionsOf(plan: ColumnPlan, rowNumber: number, cells: readonly string[], problems: ReadonlyArray<{ field: string; value?: unknown; message: string }>): repo.Rejection[] {
  return problems.map((p, position) => {
    const column = columnOf(plan, p.field);
    const index = plan.headers.indexOf(column);
    const value = index >= 0 ? (cells[index] ?? '') : p.value === undefined ? '' : String(p.value);
    return { row_number: rowNumber, position, column_name: column, value: clip(value), reason: `${p.field === 'phone_number' ? 'phone number' : column} ${p.message}` };
  });
}

class UploadGone extends Error {}

/** A checked row as staged: the phone as written (for the report), its standard fields and custom values by field id. */
type StagedInput = [raw: string, standard: ValidProfileInput['standard'], custom: Array<[fieldId: number, value: CanonicalValue]>];

function stagedInput(rawPhone: string, value: ValidProfileInput): string {
  const staged: StagedInput = [rawPhone, value.standard, [...value.custom].map(([id, { value: v }]) => [id, v])];
  return JSON.stringify(staged);
}

/** A staged row back as a checked input; null (with the reason) when one of its custom fields was deleted meanwhile. */
function fromStaged(phone: string, staged: StagedInput, context: ProfileInputContext): { raw: string; value: ValidProfileInput & { phone: string } } | { raw: string; problem: string } {
  const [raw, standard, customValues] = staged;
  const custom: ValidProfileInput['custom'] = new Map();
  for (const [fieldId, v] of customValues) {
    const field = context.fields.find((f) => f.id === fieldId);
    if (!field) return { raw, problem: `a custom field of this row (id ${fieldId}) was deleted while the upload ran` };
    custom.set(fieldId, { field, value: v });
  }
  return { raw, value: { phone, standard, custom } };
}

async function stage(database: Database, companyId: number, record: repo.UploadRecord, path: string, encoding: UploadEncoding, context: ProfileInputContext, hooks: ProcessHooks): Promise<void> {
  const uploadId = record.id;
  await repo.clearStaging(database.db, companyId, uploadId);
  const mapping = record.mapping ? (JSON.parse(record.mapping) as { mapping: Record<string, string | null> }).mapping : {};
  let plan: ColumnPlan | undefined;
  let rows = 0;
  let rejectedRows = 0;
  let bytes = 0;
  const write = async (staged: repo.StagedRow[], rejections: repo.Rejection[], progress: { bytes_done: number; rows_done: number }) => {
    await database.db.transaction().execute(async (trx) => {
      const scope = { db: trx, engine: database.engine };
      await repo.insertStagedRows(scope, companyId, uploadId, staged);
      await repo.insertRejections(scope, companyId, uploadId, rejections);
      await repo.updateUpload(trx, companyId, uploadId, progress);
    });
    const now = await repo.findUpload(database.db, companyId, uploadId);
    if (!now) throw new UploadGone();
    await hooks.onProgress?.(toView(now));
    await yieldToEventLoop();
  };
  // The previous batch's write: PostgreSQL runs it while this batch is read and checked (checking phone numbers is
  // most of staging's time); a failure surfaces at the next batch, and nothing is left running when staging stops.
  let writing: Promise<void> | undefined;
  try {
    for await (const batch of readCsvBatches(path, { encoding, delimiter: (record.delimiter ?? ',') as Delimiter, batchRows: STAGE_BATCH, onBytes: (b) => (bytes = b), signal: hooks.signal })) {
      const staged: repo.StagedRow[] = [];
      const rejections: repo.Rejection[] = [];
      for (const { rowNumber, cells } of batch) {
        if (!plan) {
          const headers = cells.map((h) => h.trim());
          plan = planColumns(headers, mapping);
          // The file changed shape since it was checked (e.g. the command line's file was edited): refuse rather than guess.
          if (!plan.columns.includes('phone_number')) throw new AppError('invalid_input', `The file's header no longer has the phone column the mapping names (columns: ${headers.join(', ')}). Nothing was imported.`);
          continue;
        }
        rows++;
        const input = rowInput(plan, cells);
        const checked = validateProfileInput(input, context, { requirePhone: true });
        if (checked.ok) staged.push({ row_number: rowNumber, phone_number: checked.value.phone!, input: stagedInput(input.phone_number ?? '', checked.value) });
        else {
          rejectedRows++;
          rejections.push(...rejectionsOf(plan, rowNumber, cells, checked.problems));
        }
      }
      await writing;
      writing = write(staged, rejections, { bytes_done: bytes, rows_done: rows });
      // Awaited above or below; this only keeps a failure meanwhile from counting as unhandled.
      writing.catch(() => {});
    }
    await writing;
  } catch (error) {
    await writing?.catch(() => {});
    throw error;
  }
  if (!plan) throw new AppError('invalid_input', 'The file has no header row. Nothing was imported.');
  if (rows === 0) throw new AppError('invalid_input', 'The file has a header row but no rows of data. Nothing was imported.');
  await repo.updateUpload(database.db, companyId, uploadId, {
    phase: 'merging', encoding, rows_total: rows, rows_done: rows, bytes_done: bytes, rejected_count: rejectedRows, created_count: 0, updated_count: 0, unchanged_count: 0, duplicate_count: 0, merged_through: 0,
  });
}

const MAX_BATCH_ATTEMPTS = 5;

/** Rows merged before the planner's statistics are refreshed again; then again each time the rows merged double. */
const REFRESH_STATISTICS_ROWS = 20_000;
/** Staged rows from which the statistics are refreshed before merging (below, any plan is quick). */
const REFRESH_STATISTICS_STAGED = 1000;

async function merge(database: Database, companyId: number, uploadId: number, context: ProfileInputContext, hooks: ProcessHooks): Promise<void> {
  // The staging table and the company's profiles grow from nothing within this one job, faster than PostgreSQL's
  // autovacuum looks at them. With statistics from before the staging, its planner finds each staged row's last
  // row by reading all of the upload's staged rows (a 100,000-row upload after a 1,000,000-row one stalled on it);
  // with statistics that still say the company is empty, it reads every profile of the company to find a batch's
  // numbers. So: once now, then at doubling sizes, a few ANALYZEs per upload however long it is.
  const staged = await repo.findUpload(database.db, companyId, uploadId);
  if (Number(staged?.rows_total ?? 0) - Number(staged?.merged_through ?? 0) >= REFRESH_STATISTICS_STAGED) await database.refreshStatistics();
  let merged = 0;
  let refreshAt = REFRESH_STATISTICS_ROWS;
  for (;;) {
    if (merged >= refreshAt) {
      await database.refreshStatistics();
      refreshAt *= 2;
    }
    hooks.signal?.throwIfAborted();
    const record = await repo.findUpload(database.db, companyId, uploadId);
    if (!record) throw new UploadGone();
    const actor: Actor = { type: record.created_by_type as Actor['type'], id: record.created_by_id === null ? null : Number(record.created_by_id), label: record.created_by_label };
    const mapping = record.mapping ? (JSON.parse(record.mapping) as { mapping: Record<string, string | null> }).mapping : {};
    const phoneHeader = Object.entries(mapping).find(([, f]) => f === 'phone_number')?.[0] ?? 'phone_number';
    const rows = await repo.nextStagedRows(database.db, companyId, uploadId, Number(record.merged_through), hooks.mergeBatchRows ?? MERGE_BATCH);
    if (rows.length === 0) return;
    const duplicates: repo.Rejection[] = [];
    const gone: repo.Rejection[] = [];
    const keep: Array<{ row: number; value: ValidProfileInput & { phone: string } }> = [];
    for (const r of rows) {
      const staged = fromStaged(r.phone_number, JSON.parse(r.input) as StagedInput, context);
      const last = r.last_row;
      if (last > r.row_number) duplicates.push({ row_number: r.row_number, position: 0, column_name: phoneHeader, value: clip(staged.raw), reason: `the same phone number (${r.phone_number}) as row ${last}, which is used instead (the later row wins)` });
      else if ('problem' in staged) gone.push({ row_number: r.row_number, position: 0, column_name: phoneHeader, value: clip(staged.raw), reason: staged.problem });
      else keep.push({ row: r.row_number, value: staged.value });
    }
    const through = rows[rows.length - 1]!.row_number;
    const after = Number(record.merged_through);
    for (let attempt = 1; ; attempt++) {
      try {
        await database.db.transaction().execute(async (trx) => {
          const scope = { db: trx, engine: database.engine };
          const results = await upsertValidProfilesInTransaction(scope, companyId, actor, keep.map((k) => k.value), { sourceType: 'Uploaded group', sourceName: record.group_name }, { auditCreated: false });
          const counts = { created: 0, updated: 0, unchanged: 0, rejected: duplicates.length + gone.length, duplicates: duplicates.length, mergedThrough: through };
          const members: number[] = [];
          const rejections = [...duplicates, ...gone];
          results.forEach((result, i) => {
            if (result.outcome === 'rejected') {
              counts.rejected++;
              // E.g. a custom field deleted while the upload ran: the row is reported, not written.
              rejections.push(...result.problems.map((p, position) => ({ row_number: keep[i]!.row, position, column_name: p.field, value: clip(p.value === undefined ? '' : String(p.value)), reason: `${p.field} ${p.message}` })));
              return;
            }
            counts[result.outcome]++;
            members.push(result.profileId);
          });
          if (record.group_id !== null && members.length) await addMembersIn(scope, companyId, Number(record.group_id), members);
          await repo.insertRejections(scope, companyId, uploadId, rejections);
          await repo.addCounts(trx, companyId, uploadId, counts);
          await repo.deleteStagedThrough(trx, companyId, uploadId, after, through);
        });
        break;
      } catch (error) {
        // Another writer created one of these numbers meanwhile, or won a deadlock: the batch runs again and sees it.
        if (!(database.isUniqueViolation(error) || isTransientConflict(error)) || attempt >= MAX_BATCH_ATTEMPTS) throw error;
      }
    }
    merged += rows.length;
    const now = await repo.findUpload(database.db, companyId, uploadId);
    if (now) await hooks.onProgress?.(toView(now));
    await yieldToEventLoop();
  }
}

/**
 * Lets the rest of the process run (the server's requests, the job's lease renewal) between batches: on SQLite every
 * query resolves without ever returning to the event loop, so a merge would otherwise hold it for the whole file.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs an upload to its end: stages the file's rows (a restart stages afresh; a file that turns out not to be UTF-8
 * is read again as Windows-1252; a malformed file fails here, before any profile is touched), then merges the staged
 * rows into profiles a batch at a time, each batch committing its profiles, group members, report lines and counts
 * together, so a worker that dies resumes after the last committed batch and counts every row exactly once.
 * A problem with the file marks the upload failed with the reason (and resolves); other errors are thrown.
 */
export async function processUpload(database: Database, companyId: number, uploadId: number, path: string, hooks: ProcessHooks = {}): Promise<UploadView> {
  let record = await repo.findUpload(database.db, companyId, uploadId);
  if (!record) throw notFound('Upload');
  if (record.status === 'done' || record.status === 'failed') return toView(record);
  await repo.updateUpload(database.db, companyId, uploadId, { status: 'running', started_at: record.started_at ?? nowIso(), error: null });
  const context = await profileInputContext(database, companyId);
  try {
    if (record.phase === 'staging') {
      try {
        await stage(database, companyId, record, path, (record.encoding ?? 'utf-8') as UploadEncoding, context, hooks);
      } catch (error) {
        if (!(error instanceof NotUtf8Error)) throw error;
        // Valid UTF-8 at the start, not further on: the file is Windows-1252 (or Latin-1) after all.
        await stage(database, companyId, record, path, 'windows-1252', context, hooks);
      }
    }
    await merge(database, companyId, uploadId, context, hooks);
  } catch (error) {
    if (error instanceof UploadGone) throw notFound('Upload');
    if (!(error instanceof AppError)) throw error;
    // The file is not what an upload can read: nothing of it reached a profile (staging comes first).
    await repo.clearStaging(database.db, companyId, uploadId);
    await markFailed(database, companyId, uploadId, error.message);
    return getUpload(database, companyId, uploadId);
  }
  record = (await repo.findUpload(database.db, companyId, uploadId))!;
  const view = toView(record);
  await database.db.transaction().execute(async (trx) => {
    await repo.updateUpload(trx, companyId, uploadId, { status: 'done', phase: 'finished', finished_at: nowIso(), error: null });
    const actor: Actor = { type: record!.created_by_type as Actor['type'], id: record!.created_by_id === null ? null : Number(record!.created_by_id), label: record!.created_by_label };
    await recordAudit(trx, companyId, actor, [{ action: 'upload.finished', entityType: 'upload', entityId: uploadId, changes: { status: { before: 'running', after: 'done' }, counts: { before: null, after: view.counts }, group_id: { before: null, after: view.group_id } } }]);
  });
  await database.refreshStatistics();
  return getUpload(database, companyId, uploadId);
}

/** Marks an upload failed with the reason (the job gave up, or the file cannot be imported), audited. */
export async function markFailed(database: Database, companyId: number, uploadId: number, reason: string): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const record = await repo.findUpload(trx, companyId, uploadId);
    if (!record || record.status === 'done' || record.status === 'failed') return;
    await repo.updateUpload(trx, companyId, uploadId, { status: 'failed', error: reason, finished_at: nowIso() });
    const actor: Actor = { type: record.created_by_type as Actor['type'], id: record.created_by_id === null ? null : Number(record.created_by_id), label: record.created_by_label };
    await recordAudit(trx, companyId, actor, [{ action: 'upload.failed', entityType: 'upload', entityId: uploadId, changes: { status: { before: record.status, after: 'failed' }, error: { before: null, after: reason } } }]);
  });
}

/** The error for an upload without a group name. */
export function missingGroupName(): AppError {
  return invalidInput([{ field: 'group_name', message: 'is required (accepted: the name of the group the rows go into, 1 to 200 characters; a new name creates the group)' }]);
}

/** Removes a stored upload file (done with, or never recorded); a missing file is not an error. */
export async function removeUploadFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Who an upload is made by, from a request. */
export function uploaderOf(auth: AuthContext): Actor {
  return auth.actor;
}
