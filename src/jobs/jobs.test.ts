import { setTimeout as delay } from 'node:timers/promises';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEachEngine, freshDatabase } from '../../test/db.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { builtinJobHandlers, echoJob, jobHandlers } from './handlers.js';
import { eventually, job } from './job-test-helpers.js';
import { enqueueJob, getJob, listJobs } from './queue.js';
import { defaultBackoffMs, JobWorker, LeaseLostError, PermanentJobError, type JobHandler } from './worker.js';

const ACME = 1;
const GLOBEX = 2;

async function isPending(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([promise, Promise.resolve(pending)])) === pending;
}

/** Pretends time has passed so a backed-off job is due, instead of sleeping through the backoff. */
async function makeDue(database: Database, jobId: number): Promise<void> {
  await database.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1_000).toISOString() }).where('id', '=', jobId).execute();
}

describe('defaultBackoffMs', () => {
  it('doubles from 1 s, jitters over the upper half and caps at 5 minutes', () => {
    expect(defaultBackoffMs(1, () => 0)).toBe(500);
    expect(defaultBackoffMs(1, () => 1)).toBe(1_000);
    expect(defaultBackoffMs(4, () => 1)).toBe(8_000);
    expect(defaultBackoffMs(4, () => 0)).toBe(4_000);
    expect(defaultBackoffMs(40, () => 1)).toBe(300_000);
    expect(defaultBackoffMs(40, () => 0)).toBe(150_000);
    for (let attempt = 1; attempt < 20; attempt++) {
      const ms = defaultBackoffMs(attempt);
      expect(ms).toBeGreaterThanOrEqual(Math.min(300_000, 1_000 * 2 ** (attempt - 1)) / 2);
      expect(ms).toBeLessThanOrEqual(300_000);
    }
  });
});

describe('jobHandlers', () => {
  it('merges handler sets and refuses a kind registered twice', () => {
    const other: JobHandler = async () => null;
    expect(Object.keys(jobHandlers(builtinJobHandlers, { 'exports.csv': other }))).toEqual(['system.echo', 'exports.csv']);
    expect(() => jobHandlers(builtinJobHandlers, { 'system.echo': other })).toThrow('job kind "system.echo" has two handlers');
  });
});

describeEachEngine('jobs', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    // test/db.ts drops the database WITH (FORCE) while idle clients may still be disconnecting;
    // pg reports that on the pool, which has no error listener and would crash the test run.
    database.pgPool?.on('error', () => {});
  });
  // Workers claim any company's due job, so each test starts from an empty queue.
  beforeEach(async () => {
    await database.db.deleteFrom('jobs').execute();
  });

  it('runs system.echo end to end, storing progress per step and the result', async () => {
    const id = await enqueueJob(database, ACME, { kind: 'system.echo', payload: { message: 'hello', steps: 3 } });
    const queued = await job(database, ACME, id);
    expect(queued).toMatchObject({ companyId: ACME, id, kind: 'system.echo', status: 'queued', attempts: 0, maxAttempts: 5, progress: 0 });
    expect(queued.payload).toEqual({ message: 'hello', steps: 3 });

    const storedProgress: Array<[number, number | null, string]> = [];
    const worker = new JobWorker({
      database,
      handlers: {
        'system.echo': (ctx) =>
          echoJob({
            ...ctx,
            reportProgress: async (done, total) => {
              await ctx.reportProgress(done, total);
              const seen = await job(database, ACME, id);
              storedProgress.push([seen.progress, seen.progressTotal, seen.status]);
            },
          }),
      },
    });
    expect(await worker.runOnce()).toBe(true);
    expect(storedProgress).toEqual([
      [1, 3, 'running'],
      [2, 3, 'running'],
      [3, 3, 'running'],
    ]);
    const done = await job(database, ACME, id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, progress: 3, progressTotal: 3, error: null, lockedBy: null, lockedUntil: null });
    expect(done.result).toEqual({ message: 'hello' });
    expect(done.finishedAt).not.toBeNull();
    expect(await worker.runOnce()).toBe(false);
  });

  it('renews the lease while a long step runs, so no other worker takes the job', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const handlers: Record<string, JobHandler> = {
      'test.long-step': async () => {
        runs += 1;
        await released;
        return { done: true };
      },
    };
    const owner = new JobWorker({ database, workerId: 'owner', leaseMs: 120, handlers });
    const rival = new JobWorker({ database, workerId: 'rival', leaseMs: 120, handlers });
    const id = await enqueueJob(database, ACME, { kind: 'test.long-step', payload: {} });
    const running = owner.runOnce();
    // Several leases long, with no progress reported: only renewal keeps the claim.
    await delay(500);
    expect(await rival.runOnce()).toBe(false);
    release();
    expect(await running).toBe(true);
    const job = await getJob(database, ACME, id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(runs).toBe(1);
  });

  it('retries a failed attempt after the backoff and then succeeds', async () => {
    const backoffCalls: number[] = [];
    const worker = new JobWorker({
      database,
      backoffMs: (attempt) => {
        backoffCalls.push(attempt);
        return 60_000 * attempt;
      },
      handlers: {
        'test.flaky': async (ctx) => {
          if (ctx.attempt === 1) throw new Error('gateway timed out');
          return { deliveredOn: ctx.attempt };
        },
      },
    });
    const id = await enqueueJob(database, ACME, { kind: 'test.flaky', payload: { webhookId: 7 } });

    expect(await worker.runOnce()).toBe(true);
    const retrying = await job(database, ACME, id);
    expect(retrying).toMatchObject({ status: 'queued', attempts: 1, error: 'gateway timed out', lockedBy: null, finishedAt: null });
    expect(Date.parse(retrying.runAt) - Date.parse(retrying.updatedAt)).toBe(60_000);
    expect(backoffCalls).toEqual([1]);
    expect(await worker.runOnce()).toBe(false);

    await makeDue(database, id);
    expect(await worker.runOnce()).toBe(true);
    const done = await job(database, ACME, id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, error: null, result: { deliveredOn: 2 } });
  });

  it('fails the job with the last error once max_attempts are used', async () => {
    let calls = 0;
    const worker = new JobWorker({
      database,
      backoffMs: () => 0,
      handlers: {
        'test.broken': async () => {
          calls++;
          throw new Error(`still broken (call ${calls})`);
        },
      },
    });
    const id = await enqueueJob(database, ACME, { kind: 'test.broken', payload: {}, maxAttempts: 2 });
    expect(await worker.runOnce()).toBe(true);
    expect((await job(database, ACME, id)).status).toBe('queued');
    expect(await worker.runOnce()).toBe(true);
    const failed = await job(database, ACME, id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: 'still broken (call 2)', lockedBy: null });
    expect(failed.finishedAt).not.toBeNull();
    expect(await worker.runOnce()).toBe(false);
    expect(calls).toBe(2);
  });

  it('fails at once on a PermanentJobError, such as an invalid system.echo payload', async () => {
    const worker = new JobWorker({ database, handlers: builtinJobHandlers, backoffMs: () => 0 });
    const id = await enqueueJob(database, ACME, { kind: 'system.echo', payload: { message: 42 } });
    expect(await worker.runOnce()).toBe(true);
    const failed = await job(database, ACME, id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/^invalid system\.echo payload: .*message/s);
    expect(new PermanentJobError('x')).toBeInstanceOf(Error);
  });

  it('fails a job of a kind no handler knows, naming the kind', async () => {
    const worker = new JobWorker({ database, handlers: builtinJobHandlers });
    const id = await enqueueJob(database, ACME, { kind: 'nobody.handles.this', payload: {} });
    expect(await worker.runOnce()).toBe(true);
    const failed = await job(database, ACME, id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toBe('no handler for job kind "nobody.handles.this" (this worker handles: system.echo)');
  });

  it('does not run a job before its run_at', async () => {
    const worker = new JobWorker({ database, handlers: builtinJobHandlers });
    const id = await enqueueJob(database, ACME, {
      kind: 'system.echo',
      payload: { message: 'later' },
      runAt: new Date(Date.now() + 3_600_000),
    });
    expect(await worker.runOnce()).toBe(false);
    await makeDue(database, id);
    expect(await worker.runOnce()).toBe(true);
    expect((await job(database, ACME, id)).status).toBe('succeeded');
  });

  it("keeps each company's jobs to itself", async () => {
    const acmeEcho = await enqueueJob(database, ACME, { kind: 'system.echo', payload: { message: 'a' } });
    const acmeExport = await enqueueJob(database, ACME, { kind: 'exports.csv', payload: { segmentId: 1 } });
    const globexEcho = await enqueueJob(database, GLOBEX, { kind: 'system.echo', payload: { message: 'g' } });

    expect(await getJob(database, GLOBEX, acmeEcho)).toBeUndefined();
    expect(await getJob(database, ACME, globexEcho)).toBeUndefined();
    expect((await job(database, ACME, acmeEcho)).payload).toEqual({ message: 'a' });
    expect((await listJobs(database, ACME)).map((j) => j.id)).toEqual([acmeExport, acmeEcho]);
    expect((await listJobs(database, ACME, { kind: 'system.echo' })).map((j) => j.id)).toEqual([acmeEcho]);
    expect((await listJobs(database, ACME, { limit: 1 })).map((j) => j.id)).toEqual([acmeExport]);
    expect((await listJobs(database, GLOBEX)).map((j) => j.id)).toEqual([globexEcho]);
  });

  it('rejects a malformed job, naming every bad field', async () => {
    const error = await enqueueJob(database, ACME, { kind: '', payload: undefined, maxAttempts: 0, runAt: 'next tuesday' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_input');
    expect((error as AppError).message).toMatch(/kind.*payload.*maxAttempts.*runAt/);
    expect(await listJobs(database, ACME)).toEqual([]);
  });

  it('marks failed, without running it, a job whose worker died on its last attempt', async () => {
    let ran = false;
    const worker = new JobWorker({ database, handlers: { 'test.once': async () => (ran = true) } });
    const id = await enqueueJob(database, ACME, { kind: 'test.once', payload: {}, maxAttempts: 1 });
    await database.db
      .updateTable('jobs')
      .set({ status: 'running', attempts: 1, locked_by: 'dead-worker', locked_until: new Date(Date.now() - 1_000).toISOString() })
      .where('id', '=', id)
      .execute();

    expect(await worker.runOnce()).toBe(false);
    const failed = await job(database, ACME, id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lockedBy: null });
    expect(failed.error).toBe('attempt 1 of 1 stopped renewing its lease (worker dead-worker probably crashed) and no attempts are left');
    expect(ran).toBe(false);
  });

  it('fences out a worker that lost its lease while the new owner is still running the job', async () => {
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    };
    const slowGate = gate();
    const fastGate = gate();
    let slowStarted = false;
    let fastStarted = false;
    let lostLease: unknown;
    let slowSignal: AbortSignal | undefined;
    const slow = new JobWorker({
      database,
      workerId: 'slow',
      leaseMs: 150,
      // Stands for a worker whose renewals stopped (a paused process, a network partition).
      renewLease: false,
      handlers: {
        'test.contended': async (ctx) => {
          slowStarted = true;
          slowSignal = ctx.signal;
          await slowGate.opened;
          await ctx.reportProgress(99).catch((e: unknown) => (lostLease = e));
          return { by: 'slow' };
        },
      },
    });
    const fast = new JobWorker({
      database,
      workerId: 'fast',
      handlers: {
        'test.contended': async (ctx) => {
          fastStarted = true;
          await fastGate.opened;
          await ctx.reportProgress(1, 1);
          return { by: 'fast' };
        },
      },
    });
    const id = await enqueueJob(database, ACME, { kind: 'test.contended', payload: {} });

    const slowRun = slow.runOnce();
    await eventually('the slow worker to start', async () => slowStarted);
    // Until the lease expires runOnce finds nothing and returns; once it claims, it stays inside the gated handler.
    let fastRun: Promise<boolean> = Promise.resolve(false);
    await eventually('the lease to expire and the fast worker to take over', async () => {
      if (!(await isPending(fastRun))) fastRun = fast.runOnce();
      return fastStarted;
    });

    slowGate.open();
    expect(await slowRun).toBe(true);
    expect(lostLease).toBeInstanceOf(LeaseLostError);
    expect(slowSignal?.aborted).toBe(true);
    expect(await job(database, ACME, id)).toMatchObject({ status: 'running', lockedBy: 'fast', attempts: 2, progress: 0, result: null });

    fastGate.open();
    expect(await fastRun).toBe(true);
    expect(await job(database, ACME, id)).toMatchObject({ status: 'succeeded', attempts: 2, progress: 1, result: { by: 'fast' } });
  });

  it('stop() aborts the running handler and hands its attempt back to the queue', async () => {
    let started = false;
    let abortReason: unknown;
    const worker = new JobWorker({
      database,
      pollMs: 10,
      handlers: {
        'test.long': async (ctx) => {
          started = true;
          try {
            await delay(60_000, undefined, { signal: ctx.signal });
          } catch (error) {
            abortReason = ctx.signal.reason;
            throw error;
          }
        },
      },
    });
    worker.start();
    const id = await enqueueJob(database, ACME, { kind: 'test.long', payload: {} });
    await eventually('the polling worker to start the job', async () => started);
    await worker.stop();

    expect(abortReason).toBeInstanceOf(Error);
    expect(await job(database, ACME, id)).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null, finishedAt: null });
    expect(await worker.runOnce()).toBe(false);

    const next = new JobWorker({ database, handlers: { 'test.long': async (ctx) => ({ attempt: ctx.attempt }) } });
    expect(await next.runOnce()).toBe(true);
    expect(await job(database, ACME, id)).toMatchObject({ status: 'succeeded', attempts: 1, result: { attempt: 1 } });
  });
});
