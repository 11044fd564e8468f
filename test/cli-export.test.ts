import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemoProfiles } from '../src/features/demo/demo-data.js';
import { progressLine } from '../src/features/exports/export-cli.js';
import { describeEachEngine } from './db.js';
import { exportNow, type ExportsHarness, exportsHarness } from './exports.js';

const ROSTER = join(import.meta.dirname, '..', 'bin', 'roster.js');

interface Run { code: number | null; stdout: Buffer; stderr: string }

function roster(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ROSTER, ...args], { env: { PATH: process.env.PATH ?? '', ROSTER_LOG_LEVEL: 'warn', ...env } });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

it('draws a progress bar line', () => {
  expect(progressLine(0, 1000, 0, 10)).toBe('[..........]   0%  0 / 1,000 rows  0 rows/s');
  expect(progressLine(450_000, 1_000_000, 10, 10)).toBe('[####......]  45%  450,000 / 1,000,000 rows  45,000 rows/s');
  expect(progressLine(0, 0, 1, 4)).toBe('[####] 100%  0 / 0 rows  0 rows/s');
});

describeEachEngine('roster export (CLI)', (engine) => {
  let h: ExportsHarness;
  let companyId: number;
  let apiKey: string;
  beforeAll(async () => {
    h = await exportsHarness(engine);
    ({ companyId, apiKey } = await h.company());
    await loadDemoProfiles(h.database, companyId, 300, { seed: 5 });
  }, 60_000);
  afterAll(async () => h?.close());

  it('writes the same file, byte for byte, as Save as CSV with the same search and filters', async () => {
    const params = { search: 'an', first_seen_type: 'Opted in,CRM,Uploaded group', order: 'asc', custom_field: ['1:gt:20'] };
    const done = await exportNow(h, apiKey, params);
    expect(done.row_count).toBeGreaterThan(5);
    const viaApi = (await h.call(apiKey, 'GET', `/api/v1/exports/${done.id}/download`)).rawPayload;

    const out = join(h.dir, 'cli-export.csv');
    const env = { ROSTER_DATABASE_URL: h.url, ROSTER_DATA_DIR: join(h.dir, 'data') };
    const flags = ['--search', 'an', '--first-seen-type', 'Opted in,CRM,Uploaded group', '--order', 'asc', '--custom-field', '1:gt:20'];
    const run = await roster(['export', '--company', String(companyId), '--out', out, ...flags], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toMatchObject({ rows: done.row_count, bytes: viaApi.length, file: out });
    expect(readFileSync(out).equals(viaApi)).toBe(true);
    expect(readdirSync(h.dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
    // Not a terminal: no progress bar in the output.
    expect(run.stderr).toBe('');

    const piped = await roster(['export', '--company', String(companyId), '--out', '-', ...flags], env);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout.equals(viaApi)).toBe(true);
    expect(JSON.parse(piped.stderr)).toMatchObject({ rows: done.row_count, file: '(stdout)' });

    const audit = await h.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('company_id', '=', companyId).where('action', '=', 'export.written').execute();
    expect(audit).toEqual([
      { action: 'export.written', actor_label: 'roster export (command line)' },
      { action: 'export.written', actor_label: 'roster export (command line)' },
    ]);
  });

  it('refuses a bad filter or company with a clear message and writes nothing', async () => {
    const env = { ROSTER_DATABASE_URL: h.url };
    const out = join(h.dir, 'never.csv');
    const bad = await roster(['export', '--company', String(companyId), '--out', out, '--subscription-status', 'asleep'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('subscription_status: "asleep" is not accepted');
    const nobody = await roster(['export', '--company', '999', '--out', out], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('--company 999: no such company');
    expect(readdirSync(h.dir).filter((n) => n.startsWith('never'))).toEqual([]);
  });
});
