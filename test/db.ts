import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';
import type { Database, Engine } from '../src/db/database.js';
import { openSqlite } from '../src/db/dialect/sqlite.js';
import { openPostgres } from '../src/db/dialect/postgres.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from './global-setup.js';

/** The engines under test: SQLite always, PostgreSQL when ROSTER_TEST_POSTGRES_URL is set. */
export function testEngines(): Engine[] {
  return process.env.ROSTER_TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of opened.splice(0)) await close();
});

/** A fresh, migrated database of the engine, dropped when the file's tests end. */
export async function freshDatabase(engine: Engine): Promise<Database> {
  if (engine === 'sqlite') {
    const database = openSqlite(':memory:');
    await migrate(database);
    opened.push(() => database.close());
    return database;
  }
  const url = process.env.ROSTER_TEST_POSTGRES_URL!;
  const name = `roster_test_${inject('pgRunId')}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  const database = openPostgres(withDatabase(url, name), { max: 6 });
  opened.push(async () => {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return database;
}

/** A fresh database URL (for tests that spawn processes or open their own pools). */
export async function freshDatabaseUrl(engine: Engine, dir: string): Promise<string> {
  if (engine === 'sqlite') return `sqlite:${dir}/roster-${randomBytes(4).toString('hex')}.db`;
  const url = process.env.ROSTER_TEST_POSTGRES_URL!;
  const name = `roster_test_${inject('pgRunId')}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  opened.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return withDatabase(url, name);
}

/** `describe` once per engine, with the engine name in the title. */
export function describeEachEngine(title: string, body: (engine: Engine) => void): void {
  for (const engine of testEngines()) describe(`${title} [${engine}]`, () => body(engine));
}
