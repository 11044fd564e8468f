import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngines } from '../../../test/db.js';
import { compiledOnce } from '../compiled.js';
import type { Database } from '../database.js';
import { statementName } from './postgres.js';

// Kysely's statements are prepared per connection on PostgreSQL (preparingPool), except the shapes PostgreSQL must
// plan for each call's values.
describe.runIf(testEngines().includes('postgres'))('PostgreSQL statements', () => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase('postgres');
  });
  afterAll(async () => database?.close());

  // The statements prepared on the connection a transaction holds, after running `work` on it.
  const preparedAfter = (work: (db: Database['db']) => Promise<unknown>) =>
    database.db.transaction().execute(async (trx) => {
      await work(trx);
      return (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(trx)).rows;
    });

  it('prepares a statement with parameters under its name, once per connection, and answers the same rows', async () => {
    const select = (db: Database['db'], id: number) => db.selectFrom('companies').select(['id']).where('id', '=', id).execute();
    const text = database.db.selectFrom('companies').select(['id']).where('id', '=', 1).compile().sql;
    const prepared = await preparedAfter(async (db) => {
      expect(await select(db, 1)).toEqual([]);
      expect(await select(db, 2)).toEqual([]);
    });
    expect(statementName(text)).toMatch(/^roster_\d+$/);
    expect(prepared.filter((p) => p.statement === text).map((p) => p.name)).toEqual([statementName(text)]);
  });

  it('leaves a long statement unnamed (a multi-row VALUES list differs with every row count)', () => {
    const short = 'SELECT $1::int AS postgres_test_short';
    expect(statementName(short)).toMatch(/^roster_\d+$/);
    expect(statementName(`${short} /* ${'x'.repeat(4000)} */`)).toBeUndefined();
  });

  it('leaves the profile list’s shapes unnamed, planned for each call', async () => {
    const prepared = await preparedAfter(async (db) => {
      const shape = (v: { id: number }) => db.selectFrom('profile_tombstones').select(['phone_hash']).where('company_id', '=', v.id);
      expect(await compiledOnce(db, 'postgres.test shape', { id: 1 }, shape)).toEqual([]);
      expect(await compiledOnce(db, 'postgres.test shape', { id: 2 }, shape)).toEqual([]);
      await db.selectFrom('companies').select(['name']).where('id', '=', 1).execute();
    });
    // The same connection prepares the other statement.
    expect(prepared.filter((p) => p.statement.includes('"name"')).length).toBe(1);
    expect(prepared.filter((p) => p.statement.includes('profile_tombstones'))).toEqual([]);
  });
});
