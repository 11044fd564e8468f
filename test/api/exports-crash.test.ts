import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { getJob } from '../../src/jobs/queue.js';
import { describeEachEngine } from '../db.js';
import { type ExportBody, type ExportsHarness, exportsHarness } from '../exports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CRASH_WORKER = join(ROOT, 'test/exports-crash-worker.ts');
const PROFILES = 1200;

/** Resolves once the child has written at least `rows` rows of the export; rejects if it exits first. */
function waitForRows(child: ReturnType<typeof spawn>, exportId: number, rows: number, timeoutMs = 30_000): Promise<void> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never reached ${rows} rows; stdout:\n${stdout}\nstderr:\n${stderr}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const reached = stdout.split('\n').some((line) => {
        const match = /^exporting (\d+) (\d+)$/.exec(line);
        return match !== null && Number(match[1]) === exportId && Number(match[2]) >= rows;
      });
      if (reached) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code ?? signal}) early; stderr:\n${stderr}`));
    });
  });
}

describeEachEngine('an export whose worker is killed mid-file (kill -9)', (engine) => {
  let h: ExportsHarness;
  beforeAll(async () => {
    h = await exportsHarness(engine);
  }, 60_000);
  afterAll(async () => h?.close());

  it('leaves no half file marked done; another worker starts it again from scratch and completes it', async () => {
    const A = await h.company();
    await loadDemoProfiles(h.database, A.companyId, PROFILES, { seed: 11 });
    const queued = (await h.call(A.apiKey, 'POST', '/api/v1/exports', { order: 'asc' })).json<ExportBody>();
    const dir = join(h.config.dataDir, 'exports', String(A.companyId));
    const files = () => readdirSync(dir).sort();

    const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WORKER, h.url, h.config.dataDir, '500'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForRows(child, queued.id, 150);
      const running = (await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}`)).json<ExportBody>();
      expect(running).toMatchObject({ status: 'running', progress_total: PROFILES, download_url: null });
      const halfWritten = files();
      expect(halfWritten).toHaveLength(1);
      expect(halfWritten[0]).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{12}\.csv\.partial$/);
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      expect(await exited).toEqual([null, 'SIGKILL']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    // Killed: the half file is there under its partial name only, and nothing says done.
    const afterKill = files();
    expect(afterKill.every((n) => n.endsWith('.partial'))).toBe(true);
    const partialRows = readFileSync(join(dir, afterKill[0]!), 'utf8').split('\r\n').length - 2;
    expect(partialRows).toBeGreaterThanOrEqual(150);
    expect(partialRows).toBeLessThan(PROFILES);
    expect((await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}`)).json<ExportBody>()).toMatchObject({ status: 'running', row_count: null });
    expect((await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}/download`)).statusCode).toBe(409);

    // A second worker takes the job once the dead worker's lease runs out and starts the file again.
    const deadline = Date.now() + 20_000;
    while (!(await h.worker.runOnce())) {
      if (Date.now() > deadline) throw new Error('the lease never expired');
      await delay(50);
    }
    const job = await getJob(h.database, A.companyId, (await h.database.db.selectFrom('exports').select('job_id').where('id', '=', queued.id).executeTakeFirstOrThrow()).job_id!);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const done = (await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}`)).json<ExportBody>();
    expect(done).toMatchObject({ status: 'done', row_count: PROFILES, progress: PROFILES });
    expect(files()).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.csv$/)]);

    const res = await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}/download`);
    const records = parse(res.rawPayload.toString('utf8')) as string[][];
    const ids = records.slice(1).map((r) => Number(r[0]));
    const expected = (await h.database.db.selectFrom('profiles').select('id').where('company_id', '=', A.companyId).orderBy('created_at').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual(expected);
  });
});
