/**
 * The upload side of bench/upload.ts, in a process of its own so its peak memory can be read: a job worker with the
 * uploads handler claims the queued upload and runs it, exactly as `roster worker` would.
 * Usage: node --import tsx bench/lib/upload-child.ts <database-url> <data-dir>
 * Prints one JSON line: { seconds, maxRssBytes, baselineRssBytes, result }.
 */
import { openDatabase } from '../../src/db/database.js';
import { uploadJobHandlers } from '../../src/features/uploads/uploads.jobs.js';
import { JobWorker } from '../../src/jobs/worker.js';

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) throw new Error('usage: upload-child.ts <database-url> <data-dir>');

const database = openDatabase(url);
let result: unknown;
const worker = new JobWorker({
  database,
  workerId: `bench-upload:${process.pid}`,
  handlers: Object.fromEntries(Object.entries(uploadJobHandlers({ database, settings: { dataDir, uploadMaxBytes: 1 << 30 } })).map(([kind, handler]) => [kind, async (ctx: Parameters<typeof handler>[0]) => (result = await handler(ctx))])),
});
// What the process holds before the upload: node, tsx, the modules, an open database.
await database.db.selectFrom('companies').select('id').limit(1).execute();
const baselineRssBytes = process.memoryUsage().rss;
const started = performance.now();
const claimed = await worker.runOnce();
const seconds = (performance.now() - started) / 1000;
await database.close();
if (!claimed) throw new Error('no upload job was waiting');
process.stdout.write(`${JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes, result })}\n`);
