import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachEngine, freshDatabaseUrl } from '../../test/db.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { enqueueJob } from './queue.js';
import { eventually, job } from './job-test-helpers.js';
import { JobWorker } from './worker.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CRASH_WORKER = join(ROOT, 'test/jobs-crash-worker.ts');
const ACME = 1;
const GLOBEX = 2;

function waitForLine(child: ChildProcess, line: string, timeoutMs = 15_000): Promise<void> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never printed ${JSON.stringify(line)}; stderr:\n${stderr}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code ?? signal}) before printing ${JSON.stringify(line)}; stderr:\n${stderr}`));
    });
  });
}

describeEachEngine('job workers in separate connections and processes', (engine) => {
  let dir: string;
  let url: string;
  let main: Database;
  const opened: Database[] = [];

  /** A connection of its own (a pool on PostgreSQL, a file handle on SQLite), as another process would have. */
  function connect(): Database {
    const database = openDatabase(url);
    // Idle clients are killed when test/db.ts drops the database; without a listener pg would crash the run.
    database.pgPool?.on('error', () => {});
    opened.push(database);
    return database;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-jobs-'));
    url = await freshDatabaseUrl(engine, dir);
    main = connect();
    if (engine === 'sqlite') await migrate(main);
  });
  afterAll(async () => {
    for (const database of opened.splice(0)) await database.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await main.db.deleteFrom('jobs').execute();
  });

  it('recovers a job whose worker process was killed mid-run, once the lease expires', async () => {
    const database = main;
    const id = await enqueueJob(database, ACME, { kind: 'test.block', payload: { exportId: 9 } });

    const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WORKER, url, '300'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForLine(child, `blocking ${id}`);
      expect(await job(database, ACME, id)).toMatchObject({
        status: 'running',
        attempts: 1,
        lockedBy: `crash-worker:${child.pid}`,
        progress: 1,
        progressTotal: 2,
      });
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      expect(await exited).toEqual([null, 'SIGKILL']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    const rescuer = new JobWorker({
      database,
      workerId: 'rescuer',
      handlers: {
        'test.block': async (ctx) => {
          await ctx.reportProgress(2, 2);
          return { resumedFrom: ctx.progress, attempt: ctx.attempt };
        },
      },
    });
    await eventually('the dead worker’s lease to expire and the rescuer to claim the job', () => rescuer.runOnce());
    expect(await job(database, ACME, id)).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      progress: 2,
      result: { resumedFrom: 1, attempt: 2 },
      lockedBy: null,
      error: null,
    });
  });

  it('two workers on their own connections run each of 200 jobs exactly once', async () => {
    const setup = main;
    await sql`CREATE TABLE job_runs (job_id BIGINT NOT NULL, worker TEXT NOT NULL)`.execute(setup.db);
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push(await enqueueJob(setup, i % 2 === 0 ? ACME : GLOBEX, { kind: 'test.count', payload: { i } }));
    }

    const workers = ['first', 'second'].map((name) => {
      const database = connect();
      return new JobWorker({
        database,
        workerId: name,
        handlers: {
          'test.count': async (ctx) => {
            await sql`INSERT INTO job_runs (job_id, worker) VALUES (${ctx.jobId}, ${name})`.execute(database.db);
            return { by: name };
          },
        },
      });
    });
    // Once runOnce finds nothing claimable, every job is done or held by the other worker, which finishes it before its loop ends.
    const counts = await Promise.all(
      workers.map(async (worker) => {
        let ran = 0;
        while (await worker.runOnce()) ran++;
        return ran;
      }),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);

    const runs = await sql<{ job_id: number; worker: string }>`SELECT job_id, worker FROM job_runs ORDER BY job_id`.execute(setup.db);
    expect(runs.rows.map((r) => Number(r.job_id))).toEqual([...ids].sort((a, b) => a - b));
    const jobs = await setup.db.selectFrom('jobs').select(['id', 'status', 'attempts', 'result']).orderBy('id').execute();
    expect(jobs.every((j) => j.status === 'succeeded' && j.attempts === 1)).toBe(true);
    const ranBy = new Map(runs.rows.map((r) => [Number(r.job_id), r.worker]));
    expect(jobs.every((j) => j.result === JSON.stringify({ by: ranBy.get(j.id) }))).toBe(true);
  });
});
