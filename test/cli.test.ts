import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeEachEngine, freshDatabaseUrl } from './db.js';
import { ROSTER, runRoster as roster } from './roster-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
const children: Array<ReturnType<typeof spawn>> = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** Starts `roster serve` on a free port and waits for its first-start message or the listening log line. */
function serve(env: Record<string, string>): Promise<{ output: string; port: number; child: ReturnType<typeof spawn> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROSTER, 'serve'], { env: { PATH: process.env.PATH ?? '', PORT: '0', ROSTER_LOG_LEVEL: 'info', ...env } });
    children.push(child);
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)\/"/.exec(output);
      if (match) resolve({ output, port: Number(match[1]), child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

describeEachEngine('roster CLI', (engine) => {
  it('company create prints one JSON line with a working key, and refuses bad input clearly', async () => {
    const url = await freshDatabaseUrl(engine, dir);
    const env = { ROSTER_DATABASE_URL: url };
    const created = await roster(['company', 'create', '--name', 'Local 12', '--admin-email', 'boss@example.org', '--admin-password', 'long enough pw'], env);
    expect(created.code, created.stderr).toBe(0);
    const lines = created.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { companyId: number; apiKey: string };
    expect(parsed.companyId).toBeGreaterThan(0);
    expect(parsed.apiKey).toMatch(/^rst_/);

    const duplicate = await roster(['company', 'create', '--name', 'Other', '--admin-email', 'boss@example.org', '--admin-password', 'long enough pw'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('boss@example.org');

    const short = await roster(['company', 'create', '--name', 'X', '--admin-email', 'x@example.org', '--admin-password', 'short'], env);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('admin_password');

    const demo = await roster(['demo', '--company', String(parsed.companyId), '--profiles', 'many'], env);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toContain('--profiles must be a whole number');
  });

  it('serve creates a company and admin on first start, says so once, and the printed key works', async () => {
    const url = await freshDatabaseUrl(engine, dir);
    const first = await serve({ ROSTER_DATABASE_URL: url });
    expect(first.output).toContain('Login:     admin@roster.local');
    const key = /API key:\s+(rst_\S+)/.exec(first.output)?.[1];
    expect(key).toBeDefined();
    const res = await fetch(`http://127.0.0.1:${first.port}/api/v1/session`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const password = /Password:\s+(\S+)/.exec(first.output)![1]!;
    const login = await fetch(`http://127.0.0.1:${first.port}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@roster.local', password }),
    });
    expect(login.status).toBe(200);
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('close', r));

    const second = await serve({ ROSTER_DATABASE_URL: url });
    expect(second.output).not.toContain('Password:');
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('close', r));
  });
});

it('reports every bad environment variable at once, naming each', async () => {
  const run = await roster(['migrate'], { ROSTER_DATABASE_URL: 'mysql://nope', PORT: 'eighty' });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('ROSTER_DATABASE_URL="mysql://nope"');
  expect(run.stderr).toContain('PORT="eighty"');
});
