import type { Database } from '../db/database.js';
import { invalidInput, type FieldProblem } from '../errors.js';
import { nowIso } from '../time.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** A job as callers see it: payload and result parsed from their JSON columns. */
export interface Job {
  companyId: number;
  id: number;
  kind: string;
  payload: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  progress: number;
  progressTotal: number | null;
  result: unknown;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface NewJob {
  kind: string;
  /** Keep it small (ids, not rows): it is stored as JSON text and read on every claim. */
  payload: unknown;
  /** Not before this instant; defaults to now. */
  runAt?: Date | string;
  maxAttempts?: number;
}

/**
 * Only the query builder is needed, so a caller can pass `{ db: trx }` to enqueue
 * in the same transaction as the row the job works on; otherwise a worker could
 * claim the job before that row is committed, or the job could outlive a rollback.
 */
export type JobStore = Pick<Database, 'db'>;

export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_LIST_LIMIT = 500;

const JOB_COLUMNS = [
  'company_id',
  'id',
  'kind',
  'payload',
  'status',
  'attempts',
  'max_attempts',
  'run_at',
  'locked_by',
  'locked_until',
  'progress',
  'progress_total',
  'result',
  'error',
  'created_at',
  'updated_at',
  'finished_at',
] as const;

/** Queues a job for the company and returns its id. */
export async function enqueueJob(store: JobStore, companyId: number, job: NewJob): Promise<number> {
  const problems: FieldProblem[] = [];
  if (typeof job.kind !== 'string' || job.kind.trim() === '') {
    problems.push({ field: 'kind', value: job.kind, message: 'must be a non-empty job kind' });
  }
  const payload = job.payload === undefined ? undefined : JSON.stringify(job.payload);
  if (payload === undefined) problems.push({ field: 'payload', message: 'must be a JSON value' });
  const maxAttempts = job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    problems.push({ field: 'maxAttempts', value: job.maxAttempts, message: 'must be an integer from 1 to 100' });
  }
  const now = nowIso();
  let runAt = now;
  if (job.runAt !== undefined) {
    const at = new Date(job.runAt);
    // Normalised through Date because SQLite compares run_at as text, so every value must share one format.
    if (Number.isNaN(at.getTime())) problems.push({ field: 'runAt', value: job.runAt, message: 'must be an ISO 8601 timestamp' });
    else runAt = at.toISOString();
  }
  if (problems.length > 0 || payload === undefined) throw invalidInput(problems);

  const row = await store.db
    .insertInto('jobs')
    .values({
      company_id: companyId,
      kind: job.kind,
      payload,
      status: 'queued',
      attempts: 0,
      max_attempts: maxAttempts,
      run_at: runAt,
      progress: 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One of the company's jobs, or undefined if it has no job with that id. */
export async function getJob(store: JobStore, companyId: number, jobId: number): Promise<Job | undefined> {
  const row = await store.db
    .selectFrom('jobs')
    .select(JOB_COLUMNS)
    .where('company_id', '=', companyId)
    .where('id', '=', jobId)
    .executeTakeFirst();
  return row && toJob(row);
}

/** The company's most recent jobs, newest first, optionally of one kind. */
export async function listJobs(
  store: JobStore,
  companyId: number,
  options: { kind?: string; limit?: number } = {},
): Promise<Job[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), MAX_LIST_LIMIT);
  let query = store.db.selectFrom('jobs').select(JOB_COLUMNS).where('company_id', '=', companyId);
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
  const rows = await query.orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toJob);
}

type JobRow = {
  company_id: number;
  id: number;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  progress: number;
  progress_total: number | null;
  result: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

function toJob(row: JobRow): Job {
  return {
    companyId: row.company_id,
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status as JobStatus,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    progress: row.progress,
    progressTotal: row.progress_total,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
