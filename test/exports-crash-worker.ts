/**
 * A worker process for the export crash test: it runs the real `exports.csv` handler with small chunks and a pause
 * after each (the slow-down hook), says on stdout how far it got, and is killed by the test with SIGKILL mid-file.
 * Usage: node --import tsx test/exports-crash-worker.ts <database-url> <data-dir> <lease-ms>
 */
import { setTimeout as delay } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.js';
import { exportJobHandlers } from '../src/features/exports/exports.jobs.js';
import { JobWorker } from '../src/jobs/worker.js';

const [url, dataDir, leaseMs] = process.argv.slice(2);
if (!url || !dataDir || !leaseMs) throw new Error('usage: exports-crash-worker.ts <database-url> <data-dir> <lease-ms>');

const database = openDatabase(url);
const worker = new JobWorker({
  database,
  workerId: `export-crash-worker:${process.pid}`,
  leaseMs: Number(leaseMs),
  pollMs: 20,
  handlers: exportJobHandlers({
    database,
    settings: { dataDir, exportTtlMs: 3_600_000 },
    chunkRows: 50,
    afterChunk: async (exportId, rows) => {
      process.stdout.write(`exporting ${exportId} ${rows}\n`);
      await delay(200);
    },
  }),
});
worker.start();
