import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import type { Database, Engine } from '../src/db/database.js';
import { createCompany } from '../src/features/accounts/accounts.service.js';
import type { AuthContext } from '../src/features/accounts/auth-context.js';
import { SYSTEM_ACTOR } from '../src/features/audit/audit.js';
import { listCustomFields } from '../src/features/custom-fields/custom-fields.service.js';
import { exportFilePath } from '../src/features/exports/export-files.js';
import { createExport } from '../src/features/exports/exports.service.js';
import { cachedSqlite, freshPostgres, type Loaded } from './profile-list.js';
import { textTable } from './lib/latency.js';
import { bulkLoadDemoProfiles, settle } from './lib/profile-data.js';
import { type Benchmark, type BenchContext, type BenchResult, measurement } from './lib/types.js';

/**
 * Save as CSV at scale (SPEC §6, DESIGN.md Performance): all of a company's profiles (demo data: 7 custom fields)
 * exported by the real `exports.csv` job in a worker process of its own, beside the raw engine writing the same
 * columns as CSV in the same run — the sqlite3 shell's `.mode csv` or psql's `COPY (…) TO STDOUT CSV` — with the same
 * formatting done in SQL (digits-only phone, description, Yes/No, ISO times, one column per custom field in
 * definition order, first-seen order). Both files must hold the same ids in the same order, or the benchmark fails.
 * Two rounds, each: raw, export, then the same for the smaller company; each side's faster run is its figure.
 *
 * Memory: the worker's peak RSS (getrusage maxrss) exporting `rows` profiles and a tenth of that (a second company,
 * or on SQLite a second cached file): it must not grow with the row count.
 *
 * Goals: export throughput ≥ 0.5 × raw (ratio of times ≤ 2); peak RSS at the two sizes < 50 MB apart.
 */

const GOAL_THROUGHPUT = 0.5;
const GOAL_RSS_MB = 50;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'bench/lib/job-child.ts');
const MB = 1024 * 1024;

const BENCH_AUTH = (companyId: number): AuthContext => ({ companyId, role: 'admin', actor: { ...SYSTEM_ACTOR, label: 'benchmark' }, via: 'api_key' });

interface Target {
  database: Database;
  url: string;
  companyId: number;
  rows: number;
}

interface ExportRun {
  seconds: number;
  maxRssBytes: number;
  baselineRssBytes: number;
  file: string;
  rows: number;
}

function run(command: string, args: string[], stdoutTo?: string): Promise<{ seconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', stdoutTo ? 'pipe' : 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const sink = stdoutTo ? createWriteStream(stdoutTo) : undefined;
    if (sink) child.stdout!.pipe(sink);
    child.on('error', reject);
    child.on('close', async (code) => {
      if (sink && !sink.closed) await once(sink, 'close');
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${command} exited with ${code}: ${stderr.slice(0, 2000)}`));
      else resolve({ seconds, stderr });
    });
  });
}

/** The export through Roster: queued by the service, written by the real job in a worker process. */
async function serviceExport(target: Target, dataDir: string): Promise<ExportRun> {
  const created = await createExport(target.database, BENCH_AUTH(target.companyId), {});
  const out: Buffer[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'export', target.url, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`export worker exited with ${code}`);
  const report = JSON.parse(Buffer.concat(out).toString()) as { seconds: number; maxRssBytes: number; baselineRssBytes: number; result: { outcome: string; rows: number } };
  if (report.result.outcome !== 'done') throw new Error(`export ended ${JSON.stringify(report.result)}`);
  const row = await target.database.db.selectFrom('exports').select(['file_name', 'row_count']).where('company_id', '=', target.companyId).where('id', '=', created.id).executeTakeFirstOrThrow();
  return { seconds: report.seconds, maxRssBytes: report.maxRssBytes, baselineRssBytes: report.baselineRssBytes, file: exportFilePath(dataDir, target.companyId, row.file_name), rows: Number(row.row_count) };
}

/** The same columns, formatted the same way, by the engine itself. */
async function rawSelect(target: Target): Promise<string> {
  const { database, companyId } = target;
  const pg = database.engine === 'postgres';
  const ts = (column: string) => (pg ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column);
  const fields = await listCustomFields(database, companyId);
  const custom = fields.map((f) => {
    const value = f.field_type === 'yes_no' ? `CASE v.value_text WHEN 'true' THEN 'Yes' WHEN 'false' THEN 'No' END` : 'v.value_text';
    return `(SELECT ${value} FROM profile_field_values v WHERE v.company_id = p.company_id AND v.profile_id = p.id AND v.field_id = ${f.id}) AS "${f.name.replaceAll('"', '""')}"`;
  });
  return `SELECT p.id, p.phone_digits AS phone_number, p.email, p.first_name, p.last_name, p.status,
    CASE p.status WHEN 'Opted Out' THEN 'Undeliverable - ' || coalesce(p.opted_out_source, 'Manual Opt-Out')
      WHEN 'Invalid Profile Data' THEN 'Invalid Profile Data - phone number is not a valid mobile number' END AS description,
    p.street1, p.street2, p.city, p.state, p.postal_code, p.country, p.congressional_district, p.state_upper_district, p.state_lower_district,
    CASE p.split_district WHEN 1 THEN 'Yes' WHEN 0 THEN 'No' END AS split_district, p.latitude, p.longitude, p.precision,
    p.geocoded_city, p.geocoded_state, p.geocoded_postal_code, p.geocoded_country, p.carrier_name, ${ts('p.created_at')} AS created_at,
    p.source_type, p.source_name, ${ts('p.opted_out_at')} AS opted_out_at, p.opted_out_source,
    ${custom.join(',\n    ')}
  FROM profiles p WHERE p.company_id = ${companyId} ORDER BY p.created_at DESC, p.id DESC`.replace(/\s+/g, ' ');
}

async function rawExport(target: Target, out: string): Promise<{ seconds: number; method: string }> {
  const select = await rawSelect(target);
  if (target.database.engine === 'sqlite') {
    const { seconds } = await run('sqlite3', ['-readonly', '-csv', '-header', target.database.sqlite!.name, select], out);
    return { seconds, method: 'sqlite3 shell -csv (same columns and formatting in SQL)' };
  }
  const { seconds } = await run('psql', [target.url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER)`], out);
  return { seconds, method: 'psql COPY (…) TO STDOUT CSV (same columns and formatting in SQL)' };
}

/** Row count and a hash of the id column, in file order. */
async function idDigest(file: string): Promise<{ rows: number; digest: string }> {
  const hash = createHash('sha256');
  let rows = -1;
  for await (const record of createReadStream(file).pipe(parse({ relax_column_count: false })) as AsyncIterable<string[]>) {
    if (rows >= 0) hash.update(`${record[0]}\n`);
    rows++;
  }
  return { rows, digest: hash.digest('hex') };
}

function urlOf(database: Database): string {
  if (database.sqlite) return `sqlite:${database.sqlite.name}`;
  const options = database.pgPool!.options as { connectionString?: string };
  if (!options.connectionString) throw new Error('the benchmark database pool has no connection string');
  return options.connectionString;
}

/** The small company: on SQLite its own cached file, on PostgreSQL a second company in the run's database. */
async function smallTargetFor(engine: Engine, large: Loaded, rows: number, seed: number, log: (m: string) => void): Promise<{ target: Target; close(): Promise<void> }> {
  if (engine === 'sqlite') {
    const loaded = await cachedSqlite(rows, seed, log);
    return { target: { database: loaded.database, url: urlOf(loaded.database), companyId: loaded.companyId, rows }, close: () => loaded.close() };
  }
  const company = await createCompany(large.database, { name: 'Bench (export, small)', adminEmail: 'export-small@bench.example.org', adminPassword: 'bench-password-not-secret' });
  log(`  postgres: loading ${rows.toLocaleString('en-US')} profiles into a second company…`);
  await bulkLoadDemoProfiles(large.database, company.companyId, { seed: seed + 1, count: rows });
  await settle(large.database);
  return { target: { database: large.database, url: urlOf(large.database), companyId: company.companyId, rows }, close: async () => undefined };
}

async function cleanUp(target: Target): Promise<void> {
  // The cached SQLite files outlive the run: leave them as they were.
  await target.database.db.deleteFrom('exports').where('company_id', '=', target.companyId).execute();
  await target.database.db.deleteFrom('jobs').where('company_id', '=', target.companyId).where('kind', 'like', 'exports.%').execute();
}

async function benchmark({ engine, database, options, log }: BenchContext): Promise<BenchResult[]> {
  const { rows, seed } = options;
  const smallRows = Math.max(1000, Math.round(rows / 10));
  const loaded = engine === 'sqlite' ? await cachedSqlite(rows, seed, log) : await freshPostgres(database, rows, seed, log);
  const large: Target = { database: loaded.database, url: urlOf(loaded.database), companyId: loaded.companyId, rows };
  const smallTarget = await smallTargetFor(engine, loaded, smallRows, seed, log);
  const scratch = mkdtempSync(join(tmpdir(), 'roster-bench-export-'));
  const loadBefore = loadavg();
  try {
    const fieldCount = (await listCustomFields(large.database, large.companyId)).length;
    const rawFile = join(scratch, 'raw.csv');
    const rawRuns: Array<{ seconds: number; method: string }> = [];
    const exportRuns: ExportRun[] = [];
    const smallRawRuns: Array<{ seconds: number; method: string }> = [];
    const smallRuns: ExportRun[] = [];
    for (let round = 1; round <= 2; round++) {
      const raw = await rawExport(large, rawFile);
      rawRuns.push(raw);
      log(`  ${engine} round ${round}: raw ${raw.seconds.toFixed(1)} s (${Math.round(rows / raw.seconds).toLocaleString('en-US')} rows/s)`);
      const exported = await serviceExport(large, join(scratch, 'data'));
      exportRuns.push(exported);
      log(`  ${engine} round ${round}: export ${exported.seconds.toFixed(1)} s (${Math.round(exported.rows / exported.seconds).toLocaleString('en-US')} rows/s), peak RSS ${(exported.maxRssBytes / MB).toFixed(0)} MB`);
      if (round === 1) {
        // The same rows in the same order, or the comparison means nothing.
        const [a, b] = await Promise.all([idDigest(rawFile), idDigest(exported.file)]);
        if (a.rows !== rows || b.rows !== rows || a.digest !== b.digest) throw new Error(`export and raw differ: raw ${a.rows} rows ${a.digest}, export ${b.rows} rows ${b.digest}`);
        log(`  ${engine}: both files hold the same ${rows.toLocaleString('en-US')} ids in the same order (${(statSync(exported.file).size / MB).toFixed(0)} MB export, ${(statSync(rawFile).size / MB).toFixed(0)} MB raw)`);
      }
      rmSync(exported.file, { force: true });
      const small = await serviceExport(smallTarget.target, join(scratch, 'data'));
      smallRuns.push(small);
      rmSync(small.file, { force: true });
      smallRawRuns.push(await rawExport(smallTarget.target, rawFile));
      log(`  ${engine} round ${round}: ${smallRows.toLocaleString('en-US')} profiles: export ${small.seconds.toFixed(1)} s, raw ${smallRawRuns[smallRawRuns.length - 1]!.seconds.toFixed(1)} s, peak RSS ${(small.maxRssBytes / MB).toFixed(0)} MB`);
    }
    const fastest = <T extends { seconds: number }>(runs: T[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const bestRaw = fastest(rawRuns);
    const bestExport = fastest(exportRuns);
    const smallRaw = fastest(smallRawRuns);
    const smallRun = fastest(smallRuns);
    // Peak over both runs of each size: garbage collection timing moves a single run's peak by tens of MB.
    const peakLarge = Math.max(...exportRuns.map((r) => r.maxRssBytes));
    const peakSmall = Math.max(...smallRuns.map((r) => r.maxRssBytes));
    const rssApartMb = (peakLarge - peakSmall) / MB;
    const throughput = bestRaw.seconds / bestExport.seconds;
    const smallThroughput = smallRaw.seconds / smallRun.seconds;
    const verdict = [
      throughput >= GOAL_THROUGHPUT ? `throughput ok (${throughput.toFixed(2)} of raw ≥ ${GOAL_THROUGHPUT})` : `throughput OVER GOAL (${throughput.toFixed(2)} of raw < ${GOAL_THROUGHPUT})`,
      Math.abs(rssApartMb) < GOAL_RSS_MB ? `memory ok (${rssApartMb.toFixed(1)} MB apart < ${GOAL_RSS_MB})` : `memory OVER GOAL (${rssApartMb.toFixed(1)} MB apart)`,
    ];
    const loadAfter = loadavg();
    console.log(`\nexport on ${engine}, seed ${seed}, ${fieldCount} custom fields; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after`);
    console.log(textTable(
      ['profiles', 'export s', 'export rows/s', 'raw s', 'raw rows/s', 'export/raw throughput', 'worker peak RSS', 'baseline RSS'],
      [
        [smallRows.toLocaleString('en-US'), smallRun.seconds.toFixed(1), Math.round(smallRows / smallRun.seconds).toLocaleString('en-US'), smallRaw.seconds.toFixed(1), Math.round(smallRows / smallRaw.seconds).toLocaleString('en-US'), smallThroughput.toFixed(2), `${(peakSmall / MB).toFixed(0)} MB`, `${(smallRun.baselineRssBytes / MB).toFixed(0)} MB`],
        [rows.toLocaleString('en-US'), bestExport.seconds.toFixed(1), Math.round(rows / bestExport.seconds).toLocaleString('en-US'), bestRaw.seconds.toFixed(1), Math.round(rows / bestRaw.seconds).toLocaleString('en-US'), throughput.toFixed(2), `${(peakLarge / MB).toFixed(0)} MB`, `${(bestExport.baselineRssBytes / MB).toFixed(0)} MB`],
      ],
      new Set([0, 1, 2, 3, 4, 5, 6, 7]),
    ));
    console.log(`export = the exports.csv job in a fresh worker process (time inside it: claim, count, stream, format, write, fsync, rename; a fresh process also compiles the code as it goes, which weighs on the smaller export); raw = ${bestRaw.method}; fastest of 2 runs each; peak RSS = the higher of the 2 runs.`);
    console.log(`goals: ${verdict.join('; ')}.`);
    const details = {
      customFields: fieldCount,
      rawRuns: rawRuns.map((r) => r.seconds),
      exportRuns: exportRuns.map((r) => ({ seconds: r.seconds, maxRssMb: r.maxRssBytes / MB })),
      smallRawRuns: smallRawRuns.map((r) => r.seconds),
      smallExportRuns: smallRuns.map((r) => ({ seconds: r.seconds, maxRssMb: r.maxRssBytes / MB })),
      throughputOfRaw: throughput,
      peakRssMb: { [smallRows]: peakSmall / MB, [rows]: peakLarge / MB },
      baselineRssMb: smallRun.baselineRssBytes / MB,
      rssApartMb,
      goals: verdict,
      loadAverage: { before: loadBefore, after: loadAfter },
    };
    return [
      { benchmark: 'export: all profiles to CSV', engine, rows, unit: 'rows/s', service: measurement(rows, bestExport.seconds, 'exports.csv job in a worker process'), raw: measurement(rows, bestRaw.seconds, bestRaw.method), ratio: bestExport.seconds / bestRaw.seconds, details },
      { benchmark: 'export: all profiles to CSV', engine, rows: smallRows, unit: 'rows/s', service: measurement(smallRows, smallRun.seconds, 'exports.csv job in a worker process'), raw: measurement(smallRows, smallRaw.seconds, smallRaw.method), ratio: smallRun.seconds / smallRaw.seconds, details: { peakRssMb: peakSmall / MB } },
    ];
  } finally {
    await cleanUp(large).catch(() => undefined);
    await cleanUp(smallTarget.target).catch(() => undefined);
    await smallTarget.close();
    await loaded.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const exportBench: Benchmark = {
  name: 'export',
  description: 'Save as CSV of every profile: the exports.csv job beside sqlite3 .mode csv / COPY TO STDOUT CSV, and the worker’s peak RSS at rows/10 vs rows',
  run: benchmark,
};
