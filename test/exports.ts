import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { type Database, type Engine, openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createCompany } from '../src/features/accounts/accounts.service.js';
import type { Role } from '../src/features/accounts/roles.js';
import { allJobHandlers } from '../src/server.js';
import { JobWorker } from '../src/jobs/worker.js';
import { freshDatabaseUrl } from './db.js';

/**
 * Exports write files and run jobs, so their tests use what production uses: a database file (SQLite) or a fresh
 * PostgreSQL database, a data directory of their own, and a job worker with every handler the server runs.
 */
export interface ExportsHarness {
  app: App;
  database: Database;
  config: Config;
  url: string;
  dir: string;
  worker: JobWorker;
  company(name?: string): Promise<{ companyId: number; apiKey: string; adminEmail: string; adminPassword: string }>;
  /** An API key of the company with the role. */
  key(adminKey: string, role: Role): Promise<string>;
  call(key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Runs due jobs until none is left. */
  runJobs(): Promise<number>;
  close(): Promise<void>;
}

let counter = 0;

export async function exportsHarness(engine: Engine, env: Record<string, string> = {}): Promise<ExportsHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-exports-'));
  const url = await freshDatabaseUrl(engine, dir);
  const database = openDatabase(url);
  // test/db.ts drops the database WITH (FORCE); idle clients report that on the pool.
  database.pgPool?.on('error', () => {});
  await migrate(database);
  const config = loadConfig({ ROSTER_DATABASE_URL: url, ROSTER_LOG_LEVEL: 'silent', ROSTER_DATA_DIR: join(dir, 'data'), ...env });
  const app = await buildApp(config, { database });
  await app.ready();
  const worker = new JobWorker({ database, handlers: allJobHandlers(config, database), pollMs: 20 });
  const harness: ExportsHarness = {
    app, database, config, url, dir, worker,
    async company(name = 'Exports test org') {
      counter += 1;
      const adminEmail = `exports${counter}-${process.pid}-${Date.now()}@example.org`;
      const adminPassword = 'correct horse battery staple';
      const created = await createCompany(database, { name, adminEmail, adminPassword });
      return { companyId: created.companyId, apiKey: created.apiKey, adminEmail, adminPassword };
    },
    async key(adminKey, role) {
      const res = await harness.call(adminKey, 'POST', '/api/v1/api-keys', { name: `${role} key`, role });
      if (res.statusCode !== 201) throw new Error(`could not create a ${role} key: ${res.body}`);
      return res.json<{ key: string }>().key;
    },
    call(key, method, path, body) {
      return app.inject({ method, url: path, headers: { authorization: `Bearer ${key}` }, ...(body === undefined ? {} : { payload: body as object }) });
    },
    async runJobs() {
      let ran = 0;
      while (await worker.runOnce()) ran++;
      return ran;
    },
    async close() {
      await worker.stop();
      await app.close();
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export interface ExportBody {
  id: number;
  name: string;
  status: string;
  progress: number;
  progress_total: number | null;
  row_count: number | null;
  file_bytes: number | null;
  error: string | null;
  download_url: string | null;
  expires_at: string | null;
  created_by: { type: string; id: number | null; label: string };
  parameters: Record<string, unknown>;
}

/** POST /exports, run the queue, and answer the export as it ended. */
export async function exportNow(h: ExportsHarness, key: string, body: Record<string, unknown> = {}): Promise<ExportBody> {
  const created = await h.call(key, 'POST', '/api/v1/exports', body);
  if (created.statusCode !== 202) throw new Error(`POST /exports answered ${created.statusCode}: ${created.body}`);
  const id = created.json<ExportBody>().id;
  await h.runJobs();
  return (await h.call(key, 'GET', `/api/v1/exports/${id}`)).json<ExportBody>();
}

/** The export's file as records (header first), parsed by csv-parse (RFC 4180). */
export async function downloadRecords(h: ExportsHarness, key: string, id: number): Promise<{ records: string[][]; raw: string; response: LightMyRequestResponse }> {
  const response = await h.call(key, 'GET', `/api/v1/exports/${id}/download`);
  if (response.statusCode !== 200) throw new Error(`download answered ${response.statusCode}: ${response.body}`);
  const raw = response.rawPayload.toString('utf8');
  return { records: parse(raw, { relax_column_count: false }) as string[][], raw, response };
}
