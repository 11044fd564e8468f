/**
 * `npm run bench [-- --rows N --only NAME --engine sqlite,postgres --batch N --seed N]`
 *
 * Runs each registered benchmark on SQLite (a fresh file in a temp directory) and, when ROSTER_BENCH_POSTGRES_URL
 * or ROSTER_TEST_POSTGRES_URL is set, on PostgreSQL (a fresh roster_bench_<random> database, dropped afterwards).
 * Every figure is reported beside the raw database doing the same work in the same run; the ratio is the figure.
 * Options can also come from ROSTER_BENCH_ROWS, ROSTER_BENCH_ONLY, ROSTER_BENCH_ENGINES, ROSTER_BENCH_BATCH, ROSTER_BENCH_SEED.
 *
 * To add a benchmark: write a module in bench/ exporting a `Benchmark` (bench/lib/types.ts) and list it below.
 */
import { parseArgs } from 'node:util';
import type { Engine } from '../src/db/database.js';
import { DEFAULT_DEMO_SEED } from '../src/features/demo/demo-data.js';
import { bulkUpsert } from './bulk-upsert.js';
import { exportBench } from './export.js';
import { inbound } from './inbound.js';
import { profileList } from './profile-list.js';
import { uploadBench } from './upload.js';
import { postgresUrl, withFreshDatabase } from './lib/engines.js';
import { formatTable, writeResults } from './lib/report.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/types.js';

const BENCHMARKS: readonly Benchmark[] = [bulkUpsert, profileList, exportBench, inbound, uploadBench];

const OPTIONS = {
  rows: { type: 'string' },
  only: { type: 'string' },
  engine: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A mistake in the command line: reported without a stack trace. */
class UsageError extends Error {}

const USAGE = `usage: npm run bench -- [--rows N] [--only NAME[,NAME]] [--engine sqlite,postgres] [--batch N] [--seed N]
benchmarks:
${BENCHMARKS.map((b) => `  ${b.name.padEnd(14)} ${b.description}`).join('\n')}`;

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a positive whole number (got ${JSON.stringify(text)})`);
  return n;
}

function list(text: string | undefined): string[] | undefined {
  return text ? text.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: OPTIONS }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const env = process.env;
  const options: BenchOptions = {
    rows: wholeNumber('--rows', values.rows ?? env.ROSTER_BENCH_ROWS, 100_000),
    batchSize: wholeNumber('--batch', values.batch ?? env.ROSTER_BENCH_BATCH, 1000),
    seed: wholeNumber('--seed', values.seed ?? env.ROSTER_BENCH_SEED, DEFAULT_DEMO_SEED),
  };
  const only = list(values.only ?? env.ROSTER_BENCH_ONLY);
  const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
  if (unknown.length) throw new UsageError(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));

  const wanted = list(values.engine ?? env.ROSTER_BENCH_ENGINES) ?? ['sqlite', 'postgres'];
  const badEngine = wanted.filter((e) => e !== 'sqlite' && e !== 'postgres');
  if (badEngine.length) throw new UsageError(`unknown engine ${badEngine.join(', ')} (accepted: sqlite, postgres)`);
  const engines = wanted.filter((e): e is Engine => e === 'sqlite' || (e === 'postgres' && postgresUrl() !== undefined));
  if (wanted.includes('postgres') && !postgresUrl()) console.error('PostgreSQL skipped: set ROSTER_BENCH_POSTGRES_URL (or ROSTER_TEST_POSTGRES_URL) to include it.');
  if (engines.length === 0) throw new UsageError('no engine to run on');

  const startedAt = new Date();
  const results: BenchResult[] = [];
  const log = (message: string) => console.error(message);
  for (const benchmark of selected) {
    for (const engine of engines) {
      log(`${benchmark.name} on ${engine}: ${options.rows.toLocaleString('en-US')} rows…`);
      results.push(...(await withFreshDatabase(engine, (database) => benchmark.run({ engine, database, options, log }))));
    }
  }
  console.log(`\n${formatTable(results)}\n`);
  console.log('ratio = service time / raw time for the same rows on the same engine in the same run (lower is better).');
  console.log(`results: ${writeResults(results, options, startedAt)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
