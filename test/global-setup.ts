import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../src/db/dialect/postgres.js';
import { migrate } from '../src/db/migrate.js';

/**
 * When ROSTER_TEST_POSTGRES_URL is set, builds one migrated template database;
 * each test file clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
 */
export default async function setup(project: TestProject) {
  const url = process.env.ROSTER_TEST_POSTGRES_URL;
  if (!url) return;
  const template = `roster_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await dropLeftovers(admin);
  await admin.query(`CREATE DATABASE ${template}`);
  const database = openPostgres(withDatabase(url, template), { max: 1 });
  await migrate(database);
  await database.close();
  project.provide('pgTemplate', template);
  project.provide('pgRunId', String(process.pid));
  return async () => {
    await dropLeftovers(admin, (pid) => pid === process.pid);
    await admin.end();
  };
}

/**
 * Test databases are named after the pid of the run that made them, so concurrent runs against one server
 * never drop each other's; databases of runs that died without cleaning up are dropped here.
 */
async function dropLeftovers(admin: pg.Client, mine: (pid: number) => boolean = (pid) => !isAlive(pid)) {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname ~ '^roster_(template|test)_[0-9]+'",
  );
  for (const { datname } of rows) {
    const pid = Number(/^roster_(?:template|test)_(\d+)/.exec(datname)![1]);
    if (mine(pid)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
    pgRunId: string;
  }
}
