// Helpers shared by the job queue's tests (jobs.test.ts, workers.test.ts); not part of the app.
import { setTimeout as delay } from 'node:timers/promises';
import type { Database } from '../db/database.js';
import { getJob, type Job } from './queue.js';

/** Polls until `check` holds; the deadline only turns a hang into a readable failure. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** The job as stored now; a test fails here if it is gone. */
export async function job(database: Database, companyId: number, jobId: number): Promise<Job> {
  const found = await getJob(database, companyId, jobId);
  if (!found) throw new Error(`job ${jobId} not found`);
  return found;
}
