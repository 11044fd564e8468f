import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { pino, type Logger } from 'pino';
import type { Database } from '../db/database.js';

/** What a handler gets for one attempt at one job. */
export interface JobContext {
  jobId: number;
  companyId: number;
  kind: string;
  /** Parsed from JSON; validate it, since it was written by whoever enqueued it, possibly an older release. */
  payload: unknown;
  /** 1 on the first run; counts runs cut short by a crash too. */
  attempt: number;
  maxAttempts: number;
  /** The progress last reported, possibly by an earlier attempt: a place to resume from. */
  progress: number;
  /**
   * Records progress and renews the lease (the heartbeat). Call it at least once per lease
   * (per batch, not per row): a job silent for longer than the lease is presumed crashed and
   * handed to another worker. Throws LeaseLostError if that has already happened.
   */
  reportProgress(done: number, total?: number): Promise<void>;
  /** Aborted when the worker stops or loses the lease; stop work and throw. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Does one job's work and resolves to its result (stored as JSON). Throw to fail the attempt:
 * it is retried with backoff until max_attempts, unless the error is a PermanentJobError.
 *
 * Handlers must be idempotent. A job runs again after a crash, a retry or a lost lease, and
 * after a lost lease two runs can briefly overlap, so every effect must be safe to repeat:
 * upserts rather than inserts, writes keyed by the job id, files written under a temporary
 * name and renamed. Only progress reported after the work it counts is durable can be
 * trusted as a resume point.
 */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

/** Thrown by a handler when retrying cannot help (bad payload, missing record): fails the job now. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** The lease passed to another worker; this worker's writes to the job are ignored from now on. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** The reason on a handler's signal when the worker is shutting down. */
export class WorkerStoppingError extends Error {
  override name = 'WorkerStoppingError';
}

export interface JobWorkerOptions {
  database: Database;
  handlers: Readonly<Record<string, JobHandler>>;
  /** Must be unique among live workers; the default is host:pid:random. */
  workerId?: string;
  /** How long a claim lasts without a heartbeat before other workers may take the job. */
  leaseMs?: number;
  /** Idle wait between looks at an empty queue. */
  pollMs?: number;
  logger?: Logger;
  /** Delay before retry number `attempt + 1`; defaults to defaultBackoffMs. */
  backoffMs?: (attempt: number) => number;
  /**
   * Renew the lease every leaseMs/3 while a handler runs (default true), so one long step (a big
   * query, an upload of a slow file) is not mistaken for a crash and run twice.
   */
  renewLease?: boolean;
}

const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const MAX_ERROR_LENGTH = 4_000;

/** Exponential backoff (1 s, 2 s, 4 s … capped at 5 min) with jitter over the upper half, so failed jobs do not retry in lockstep. */
export function defaultBackoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

interface ClaimedJob {
  companyId: number;
  id: number;
  kind: string;
  payload: string;
  attempt: number;
  maxAttempts: number;
  progress: number;
}

interface ClaimRow {
  company_id: number;
  id: number;
  kind: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  progress: number;
}

/**
 * Claims jobs from the `jobs` table and runs them one at a time. Any number of workers,
 * in any number of processes, may share a database: a claim is one atomic statement and
 * every later write is fenced on (locked_by, attempts), so a worker that lost its lease
 * cannot overwrite the state written by the job's new owner.
 */
export class JobWorker {
  readonly workerId: string;
  private readonly database: Database;
  private readonly handlers: Readonly<Record<string, JobHandler>>;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly logger: Logger;
  private readonly backoffMs: (attempt: number) => number;
  private readonly renewLease: boolean;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<boolean>>();
  private readonly controllers = new Set<AbortController>();

  constructor(options: JobWorkerOptions) {
    this.database = options.database;
    this.handlers = options.handlers;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ workerId: this.workerId });
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.renewLease = options.renewLease ?? true;
    if (!(this.leaseMs > 0) || !(this.pollMs > 0)) throw new RangeError('leaseMs and pollMs must be positive');
  }

  /** Starts polling in the background; returns at once. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.pollLoop();
  }

  /** Stops claiming, aborts the running handler's signal and waits for it to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.controllers) controller.abort(new WorkerStoppingError('the job worker is stopping'));
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    this.loop = undefined;
  }

  /** Claims and runs at most one due job; true if it claimed one. */
  async runOnce(): Promise<boolean> {
    if (this.stopping) return false;
    const run = this.claimAndRun();
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopping) {
      let ran = false;
      try {
        ran = await this.runOnce();
      } catch (error) {
        // Usually the database is briefly unreachable; a job already claimed is retried once its lease expires.
        this.logger.error({ err: error }, 'job worker poll failed');
      }
      if (!ran && !this.stopping) await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async claimAndRun(): Promise<boolean> {
    await this.failAbandoned();
    const job = await this.claim();
    if (!job) return false;
    await this.execute(job);
    return true;
  }

  /** Jobs whose worker died on the last allowed attempt: fail them rather than run them again. */
  private async failAbandoned(): Promise<void> {
    const now = new Date().toISOString();
    const result = await this.database.db
      .updateTable('jobs')
      .set({
        status: 'failed',
        error: sql<string>`'attempt ' || CAST(attempts AS TEXT) || ' of ' || CAST(max_attempts AS TEXT)
          || ' stopped renewing its lease (worker ' || COALESCE(locked_by, '?')
          || ' probably crashed) and no attempts are left'`,
        locked_by: null,
        locked_until: null,
        finished_at: now,
        updated_at: now,
      })
      .where('status', '=', 'running')
      .where('locked_until', '<', now)
      .whereRef('attempts', '>=', 'max_attempts')
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) {
      this.logger.warn({ count: Number(result.numUpdatedRows) }, 'failed jobs abandoned on their last attempt');
    }
  }

  private async claim(): Promise<ClaimedJob | undefined> {
    const started = Date.now();
    const now = new Date(started).toISOString();
    const until = new Date(started + this.leaseMs).toISOString();
    const claimable = sql`(status = 'queued' AND run_at <= ${now})
      OR (status = 'running' AND locked_until < ${now} AND attempts < max_attempts)`;
    const assignment = sql`status = 'running', attempts = attempts + 1,
      locked_by = ${this.workerId}, locked_until = ${until}, updated_at = ${now}`;
    const returning = sql`company_id, id, kind, payload, attempts, max_attempts, progress`;
    // PostgreSQL: SKIP LOCKED lets concurrent claimers pass over each other's rows instead of queueing on them.
    // SQLite: writers are serialised, even across processes, so one UPDATE … RETURNING is atomic.
    const query =
      this.database.engine === 'postgres'
        ? sql<ClaimRow>`UPDATE jobs SET ${assignment}
            WHERE (company_id, id) = (
              SELECT company_id, id FROM jobs WHERE ${claimable}
              ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING ${returning}`
        : sql<ClaimRow>`UPDATE jobs SET ${assignment}
            WHERE id = (SELECT id FROM jobs WHERE ${claimable} ORDER BY run_at, id LIMIT 1)
            RETURNING ${returning}`;
    const { rows } = await query.execute(this.database.db);
    const row = rows[0];
    if (!row) return undefined;
    return {
      companyId: Number(row.company_id),
      id: Number(row.id),
      kind: row.kind,
      payload: row.payload,
      attempt: Number(row.attempts),
      maxAttempts: Number(row.max_attempts),
      progress: Number(row.progress),
    };
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const controller = new AbortController();
    if (this.stopping) controller.abort(new WorkerStoppingError('the job worker is stopping'));
    this.controllers.add(controller);
    const logger = this.logger.child({ jobId: job.id, companyId: job.companyId, kind: job.kind, attempt: job.attempt });
    logger.debug('job claimed');
    try {
      const handler = Object.hasOwn(this.handlers, job.kind) ? this.handlers[job.kind] : undefined;
      if (!handler) {
        const known = Object.keys(this.handlers).sort().join(', ') || 'none';
        await this.fail(job, new PermanentJobError(`no handler for job kind "${job.kind}" (this worker handles: ${known})`), logger);
        return;
      }
      let resultJson: string | null;
      const renewal = this.renewLease ? setInterval(() => void this.renew(job, controller, logger), Math.max(1, Math.floor(this.leaseMs / 3))) : undefined;
      try {
        const payload = JSON.parse(job.payload) as unknown;
        const result = await handler({
          jobId: job.id,
          companyId: job.companyId,
          kind: job.kind,
          payload,
          attempt: job.attempt,
          maxAttempts: job.maxAttempts,
          progress: job.progress,
          reportProgress: (done, total) => this.reportProgress(job, controller, done, total),
          signal: controller.signal,
          logger,
        });
        resultJson = JSON.stringify(result) ?? null;
      } catch (error) {
        clearInterval(renewal);
        await this.fail(job, error, logger, controller.signal);
        return;
      }
      clearInterval(renewal);
      await this.succeed(job, resultJson, logger);
    } finally {
      this.controllers.delete(controller);
    }
  }

  /** An update that matches only while this worker still holds this attempt's lease. */
  private fenced(job: ClaimedJob) {
    return this.database.db
      .updateTable('jobs')
      .where('company_id', '=', job.companyId)
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('locked_by', '=', this.workerId)
      .where('attempts', '=', job.attempt);
  }

  /** Extends the lease without touching progress; a lost lease aborts the handler. */
  private async renew(job: ClaimedJob, controller: AbortController, logger: Logger): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const now = Date.now();
      const result = await this.fenced(job).set({ locked_until: new Date(now + this.leaseMs).toISOString() }).executeTakeFirst();
      if (result.numUpdatedRows === 0n) controller.abort(new LeaseLostError(`job ${job.id} attempt ${job.attempt}: this worker no longer holds the lease`));
    } catch (error) {
      // A failed renewal is not fatal: the next one, or the handler's own progress report, tries again.
      logger.warn({ err: error }, 'could not renew job lease');
    }
  }

  private async reportProgress(job: ClaimedJob, controller: AbortController, done: number, total?: number): Promise<void> {
    if (!Number.isFinite(done) || done < 0 || (total !== undefined && (!Number.isFinite(total) || total < 0))) {
      throw new RangeError(`progress must be finite and non-negative (got ${done}/${total})`);
    }
    const started = Date.now();
    const result = await this.fenced(job)
      .set({
        progress: Math.round(done),
        ...(total === undefined ? {} : { progress_total: Math.round(total) }),
        locked_until: new Date(started + this.leaseMs).toISOString(),
        updated_at: new Date(started).toISOString(),
      })
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      const error = new LeaseLostError(`job ${job.id} attempt ${job.attempt}: this worker no longer holds the lease (it expired and the job was taken over or failed)`);
      controller.abort(error);
      throw error;
    }
  }

  private async succeed(job: ClaimedJob, resultJson: string | null, logger: Logger): Promise<void> {
    const now = new Date().toISOString();
    const result = await this.fenced(job)
      .set({ status: 'succeeded', result: resultJson, error: null, locked_by: null, locked_until: null, finished_at: now, updated_at: now })
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) logger.warn('job finished after its lease passed to another worker; result discarded');
    else logger.debug('job succeeded');
  }

  private async fail(job: ClaimedJob, error: unknown, logger: Logger, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const nowText = new Date(now).toISOString();
    if (signal?.aborted && signal.reason instanceof LeaseLostError) {
      logger.warn('job abandoned: its lease passed to another worker');
      return;
    }
    if (signal?.aborted && signal.reason instanceof WorkerStoppingError) {
      // Shutdown is not the job's fault, so the attempt is handed back rather than counted.
      const released = await this.fenced(job)
        .set({ status: 'queued', run_at: nowText, attempts: job.attempt - 1, locked_by: null, locked_until: null, updated_at: nowText })
        .executeTakeFirst();
      logger.info({ released: released.numUpdatedRows > 0n }, 'job interrupted by shutdown; queued again');
      return;
    }
    const message = describeError(error);
    const final = error instanceof PermanentJobError || job.attempt >= job.maxAttempts;
    const update = final
      ? { status: 'failed', error: message, locked_by: null, locked_until: null, finished_at: nowText, updated_at: nowText }
      : {
          status: 'queued',
          error: message,
          run_at: new Date(now + safeDelay(this.backoffMs(job.attempt))).toISOString(),
          locked_by: null,
          locked_until: null,
          updated_at: nowText,
        };
    const result = await this.fenced(job).set(update).executeTakeFirst();
    if (result.numUpdatedRows === 0n) logger.warn({ err: error }, 'job failed after its lease passed to another worker');
    else if (final) logger.error({ err: error }, 'job failed');
    else logger.warn({ err: error, retryAt: 'run_at' in update ? update.run_at : undefined }, 'job attempt failed; will retry');
  }
}

function safeDelay(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 365 * 24 * 3_600_000) : 0;
}

function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = JSON.stringify(error) ?? String(error);
    } catch {
      text = String(error);
    }
  }
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
