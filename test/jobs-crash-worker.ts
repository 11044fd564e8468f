/**
 * A worker process for the crash-recovery test: it claims a `test.block` job, reports
 * progress, says so on stdout, and then hangs until the test kills it with SIGKILL.
 * Usage: node --import tsx test/jobs-crash-worker.ts <database-url> <lease-ms>
 */
import { setTimeout as delay } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.js';
import { JobWorker } from '../src/jobs/worker.js';

const [url, leaseMs] = process.argv.slice(2);
if (!url || !leaseMs) throw new Error('usage: jobs-crash-worker.ts <database-url> <lease-ms>');

const worker = new JobWorker({
  database: openDatabase(url),
  workerId: `crash-worker:${process.pid}`,
  leaseMs: Number(leaseMs),
  pollMs: 20,
  handlers: {
    'test.block': async (ctx) => {
      await ctx.reportProgress(1, 2);
      process.stdout.write(`blocking ${ctx.jobId}\n`);
      // Outlives any test; if the test is gone, exit rather than let the job succeed.
      await delay(60_000);
      process.exit(1);
    },
  },
});
worker.start();
