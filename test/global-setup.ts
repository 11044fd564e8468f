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
  return async () => {
    await dropLeftovers(admin);
    await admin.end();
  };
}

async function dropLeftovers(admin: pg.Client) {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'roster\\_template\\_%' OR datname LIKE 'roster\\_test\\_%'",
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string;
  }
}
