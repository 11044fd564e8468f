/**
 * The Roster side of bench/export.ts and bench/upload.ts, in a process of its own so its peak memory can be read: a job
 * worker with that feature's handlers claims the queued job and runs it, exactly as `roster worker` would.
 * Usage: node --import tsx bench/lib/job-child.ts export|upload <database-url> <data-dir>
 * Prints one JSON line: { seconds, maxRssBytes, baselineRssBytes, result }.
 */
import { type Database, openDatabase } from '../../src/db/database.js';
import { exportJobHandlers } from '../../src/features/exports/exports.jobs.js';
import { uploadJobHandlers } from '../../src/features/uploads/uploads.jobs.js';
import { type JobHandler, JobWorker } from '../../src/jobs/worker.js';

const HANDLERS: Record<string, (database: Database, dataDir: string) => Record<string, JobHandler>> = {
  export: (database, dataDir) => exportJobHandlers({ database, settings: { dataDir, exportTtlMs: 3_600_000 } }),
  upload: (database, dataDir) => uploadJobHandlers({ database, settings: { dataDir, uploadMaxBytes: 1 << 30 } }),
};

const [kind, url, dataDir] = process.argv.slice(2);
const handlersOf = kind === undefined ? undefined : HANDLERS[kind];
if (!handlersOf || !url || !dataDir) throw new Error('usage: job-child.ts export|upload <database-url> <data-dir>');

const database = openDatabase(url);
let result: unknown;
// The real handlers, each with its result kept for the parent.
const handlers = Object.fromEntries(Object.entries(handlersOf(database, dataDir)).map(([name, handler]) => [name, async (ctx: Parameters<JobHandler>[0]) => (result = await handler(ctx))]));
const worker = new JobWorker({ database, workerId: `bench-${kind}:${process.pid}`, handlers });
// What the process holds before the job: node, tsx, the modules, an open database.
await database.db.selectFrom('companies').select('id').limit(1).execute();
const baselineRssBytes = process.memoryUsage().rss;
const started = performance.now();
const claimed = await worker.runOnce();
const seconds = (performance.now() - started) / 1000;
await database.close();
if (!claimed) throw new Error(`no ${kind} job was waiting`);
process.stdout.write(`${JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes, result })}\n`);
