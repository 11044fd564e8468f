import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type Engine, openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

/** The PostgreSQL server to benchmark against, if any. */
export function postgresUrl(): string | undefined {
  return process.env.ROSTER_BENCH_POSTGRES_URL || process.env.ROSTER_TEST_POSTGRES_URL || undefined;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

// Cleanups still pending, so Ctrl-C does not leave temp files or bench databases behind.
const pending = new Set<() => Promise<void>>();
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  process.stderr.write('\ninterrupted; cleaning up…\n');
  void Promise.allSettled([...pending].map((cleanup) => cleanup())).then(() => process.exit(130));
});

/**
 * Runs `body` with a fresh, migrated database of the engine and removes it afterwards:
 * SQLite in a file under a new temp directory, PostgreSQL as a new `roster_bench_<random>` database.
 */
export async function withFreshDatabase<T>(engine: Engine, body: (database: Database) => Promise<T>): Promise<T> {
  let database: Database;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'roster-bench-'));
    database = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
    cleanup = async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const url = postgresUrl();
    if (!url) throw new Error('PostgreSQL benchmarks need ROSTER_BENCH_POSTGRES_URL (or ROSTER_TEST_POSTGRES_URL)');
    const name = `roster_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    database = openDatabase(withDatabaseName(url, name));
    cleanup = async () => {
      await database.close().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  pending.add(cleanup);
  try {
    await migrate(database);
    return await body(database);
  } finally {
    pending.delete(cleanup);
    if (!interrupted) await cleanup();
  }
}
