import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/database.js';
import { createCompany } from '../src/features/accounts/accounts.service.js';
import { SYSTEM_ACTOR } from '../src/features/audit/audit.js';
import { csvRecord } from '../src/features/exports/csv-cells.js';
import { demoProfiles, ensureDemoCustomFields } from '../src/features/demo/demo-data.js';
import { newStoredName, uploadFilePath } from '../src/features/uploads/upload-files.js';
import { createUpload, MERGE_BATCH, type UploadCounts } from '../src/features/uploads/uploads.service.js';
import { withFreshDatabase } from './lib/engines.js';
import { textTable } from './lib/latency.js';
import { engineFloor } from './lib/upload-floor.js';
import { type Benchmark, type BenchContext, type BenchResult, measurement } from './lib/types.js';

/**
 * CSV upload at scale (SPEC §7, DESIGN.md Performance): a file of `rows` generated people (phone in the written forms
 * people use, names, email, address, and 3 custom fields: Age, Gender, Member) uploaded into a new company by the real
 * `uploads.process` job in a worker process of its own, beside the raw engine bulk-loading the same file into a plain
 * table in the same run: the sqlite3 shell's `.import --csv` or psql's `\copy … FROM … CSV HEADER`. Every row must be
 * accounted for (created + updated + unchanged + rejected = rows), or the benchmark fails. Beside both, the engine
 * floor (lib/upload-floor.ts): the engine alone writing the same rows into the same tables, set-based, in a database of
 * its own — what no upload into these tables can beat, shown so that the goal can be read against it.
 *
 * Memory: the worker's peak RSS (getrusage maxrss) uploading `rows` rows and a tenth of that: it must not grow with
 * the file. Goals: upload throughput ≥ 0.3 × raw; peak RSS at the two sizes < 50 MB apart.
 */

const GOAL_THROUGHPUT = 0.3;
const GOAL_RSS_MB = 50;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'bench/lib/job-child.ts');
const MB = 1024 * 1024;
const HEADER = ['phone_number', 'first_name', 'last_name', 'email', 'street1', 'street2', 'city', 'state', 'postal_code', 'country', 'Age', 'Gender', 'Member'];

/** Writes the upload file: one row per demo profile of the seed, its three custom fields as columns. */
async function writeUploadFile(path: string, rows: number, seed: number): Promise<number> {
  const out = createWriteStream(path);
  let chunk = csvRecord(HEADER);
  for (const { input } of demoProfiles({ seed, count: rows })) {
    const custom = (input.custom_fields ?? {}) as Record<string, unknown>;
    const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    chunk += csvRecord([input.phone_number, input.first_name, input.last_name, input.email, input.street1, input.street2, input.city, input.state, input.postal_code, input.country, custom.Age, custom.Gender, custom.Member].map(cell));
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'close');
  return statSync(path).size;
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${command} exited with ${code}: ${stderr.slice(0, 2000)}`))));
  });
}

function urlOf(database: Database): string {
  if (database.sqlite) return `sqlite:${database.sqlite.name}`;
  const options = database.pgPool!.options as { connectionString?: string };
  if (!options.connectionString) throw new Error('the benchmark database pool has no connection string');
  return options.connectionString;
}

/** The raw engine loading the file into a plain table of text columns (no indexes, no checks). */
async function rawLoad(database: Database, file: string, table: string, options: { keep: boolean } = { keep: false }): Promise<{ seconds: number; method: string }> {
  const columns = HEADER.map((h) => `"${h}" TEXT`).join(', ');
  if (database.engine === 'sqlite') {
    const seconds = await run('sqlite3', [database.sqlite!.name, `CREATE TABLE ${table} (${columns});`, `.import --csv --skip 1 ${file} ${table}`]);
    if (!options.keep) await run('sqlite3', [database.sqlite!.name, `DROP TABLE ${table};`]);
    return { seconds, method: 'sqlite3 shell .import --csv into a plain table' };
  }
  const url = urlOf(database);
  await run('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE TABLE ${table} (${columns})`]);
  const seconds = await run('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${table} FROM '${file}' WITH (FORMAT csv, HEADER)`]);
  if (!options.keep) await run('psql', [url, '-X', '-q', '-c', `DROP TABLE ${table}`]);
  return { seconds, method: 'psql \\copy … FROM … CSV into a plain table' };
}

interface UploadRun {
  seconds: number;
  maxRssBytes: number;
  baselineRssBytes: number;
  counts: UploadCounts;
}

/** The upload through Roster: recorded by the service (the file already in the data directory), run by the real job in a worker process. */
async function serviceUpload(database: Database, dataDir: string, file: string, label: string): Promise<UploadRun> {
  const company = await createCompany(database, { name: `Bench upload ${label}`, adminEmail: `upload-${label}-${Date.now()}@bench.example.org`, adminPassword: 'bench-password-not-secret' });
  await ensureDemoCustomFields(database, company.companyId);
  const storedName = newStoredName();
  const path = uploadFilePath(dataDir, company.companyId, storedName);
  mkdirSync(join(path, '..'), { recursive: true });
  copyFileSync(file, path);
  await createUpload(database, company.companyId, { ...SYSTEM_ACTOR, label: 'benchmark' }, { fileName: 'bench.csv', storedName, path, groupName: `Bench ${label}` });
  const out: Buffer[] = [];
  // ROSTER_BENCH_PROFILE_DIR: the worker writes a CPU profile there (as bench/inbound.ts does for its server).
  const profile = process.env.ROSTER_BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ROSTER_BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', CHILD, 'upload', urlOf(database), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`upload worker exited with ${code}`);
  const report = JSON.parse(Buffer.concat(out).toString()) as { seconds: number; maxRssBytes: number; baselineRssBytes: number; result: { outcome: string; counts: UploadCounts } };
  if (report.result.outcome !== 'done') throw new Error(`upload ended ${JSON.stringify(report.result)}`);
  return { seconds: report.seconds, maxRssBytes: report.maxRssBytes, baselineRssBytes: report.baselineRssBytes, counts: report.result.counts };
}

async function benchmark({ engine, database, options, log }: BenchContext): Promise<BenchResult[]> {
  const { rows, seed } = options;
  const smallRows = Math.max(1000, Math.round(rows / 10));
  const scratch = mkdtempSync(join(tmpdir(), 'roster-bench-upload-'));
  try {
    const file = join(scratch, 'large.csv');
    const smallFile = join(scratch, 'small.csv');
    const bytes = await writeUploadFile(file, rows, seed);
    await writeUploadFile(smallFile, smallRows, seed + 1);
    log(`  ${engine}: ${rows.toLocaleString('en-US')} rows, ${(bytes / MB).toFixed(0)} MB file`);
    const raw = await rawLoad(database, file, 'raw_upload_large');
    log(`  ${engine}: raw ${raw.seconds.toFixed(1)} s (${Math.round(rows / raw.seconds).toLocaleString('en-US')} rows/s)`);
    const large = await serviceUpload(database, join(scratch, 'data'), file, 'large');
    log(`  ${engine}: upload ${large.seconds.toFixed(1)} s (${Math.round(rows / large.seconds).toLocaleString('en-US')} rows/s), peak RSS ${(large.maxRssBytes / MB).toFixed(0)} MB, ${JSON.stringify(large.counts)}`);
    const small = await serviceUpload(database, join(scratch, 'data'), smallFile, 'small');
    log(`  ${engine}: ${smallRows.toLocaleString('en-US')} rows: upload ${small.seconds.toFixed(1)} s, peak RSS ${(small.maxRssBytes / MB).toFixed(0)} MB`);
    // In a database of its own, so that neither it nor the upload writes into tables the other has filled.
    const floor = await withFreshDatabase(engine, async (floorDatabase) => {
      await rawLoad(floorDatabase, file, 'raw_upload_floor', { keep: true });
      return engineFloor(floorDatabase, 'raw_upload_floor', rows, MERGE_BATCH);
    });
    if (floor.profiles !== rows) throw new Error(`the engine floor wrote ${floor.profiles} profiles of ${rows} rows (the generated numbers must be distinct)`);
    log(`  ${engine}: engine floor ${floor.seconds.toFixed(1)} s (${Math.round(rows / floor.seconds).toLocaleString('en-US')} rows/s)`);
    for (const [n, r] of [[rows, large], [smallRows, small]] as const) {
      const c = r.counts;
      if (c.rows !== n || c.created + c.updated + c.unchanged + c.rejected !== n) throw new Error(`rows not accounted for: ${n} rows, counts ${JSON.stringify(c)}`);
    }
    const throughput = raw.seconds / large.seconds;
    const rssApartMb = Math.abs(large.maxRssBytes - small.maxRssBytes) / MB;
    log(textTable(['', 'seconds', 'rows/s', 'peak RSS MB'], [
      ['raw', raw.seconds.toFixed(1), Math.round(rows / raw.seconds).toLocaleString('en-US'), '–'],
      ['engine floor', floor.seconds.toFixed(1), Math.round(rows / floor.seconds).toLocaleString('en-US'), '–'],
      ['upload', large.seconds.toFixed(1), Math.round(rows / large.seconds).toLocaleString('en-US'), (large.maxRssBytes / MB).toFixed(0)],
      [`upload ${smallRows.toLocaleString('en-US')}`, small.seconds.toFixed(1), Math.round(smallRows / small.seconds).toLocaleString('en-US'), (small.maxRssBytes / MB).toFixed(0)],
    ], new Set([1, 2, 3])));
    const floorOfRaw = raw.seconds / floor.seconds;
    log(`  ${engine}: throughput ${throughput.toFixed(3)} of raw (goal ≥ ${GOAL_THROUGHPUT}); the engine floor ${floorOfRaw.toFixed(3)} of raw, the upload ${(floor.seconds / large.seconds).toFixed(2)} of the floor; peak RSS ${rssApartMb.toFixed(0)} MB apart (goal < ${GOAL_RSS_MB})`);
    return [{
      benchmark: 'upload',
      engine,
      rows,
      unit: 'rows',
      service: measurement(rows, large.seconds, 'uploads.process job in a worker process (staging, then batched merge through upsertProfiles)'),
      raw: measurement(rows, raw.seconds, raw.method),
      ratio: large.seconds / raw.seconds,
      details: {
        fileBytes: bytes,
        throughputOfRaw: throughput,
        goalThroughputOfRaw: GOAL_THROUGHPUT,
        engineFloor: measurement(rows, floor.seconds, floor.method),
        engineFloorOfRaw: floorOfRaw,
        uploadOfEngineFloor: floor.seconds / large.seconds,
        counts: large.counts,
        peakRssMb: { [rows]: large.maxRssBytes / MB, [smallRows]: small.maxRssBytes / MB },
        baselineRssMb: large.baselineRssBytes / MB,
        rssApartMb,
        goalRssApartMb: GOAL_RSS_MB,
      },
    }];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export const uploadBench: Benchmark = {
  name: 'upload',
  description: 'CSV upload of generated people (3 custom fields) by the uploads job vs sqlite3 .import / psql \\copy of the same file; peak RSS at rows and rows/10',
  run: benchmark,
};
