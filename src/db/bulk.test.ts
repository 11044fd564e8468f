import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, freshDatabase } from '../../test/db.js';
import { bulkIn, bulkRows } from './bulk.js';
import type { Database } from './database.js';

// Text that has broken array literals and JSON before: quotes, separators, braces, backslashes, line breaks, accents and
// characters outside the Basic Multilingual Plane; an empty string is not NULL.
const TEXTS = ['plain', 'O\'Brien "the" {1,2}', 'back\\slash\\', 'two\nlines\r\n\ttab', 'Zoë 🎉 ÿ', '', 'NULL', ' spaced '];

describeEachEngine('bulkRows and bulkIn', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });
  afterAll(async () => database?.close());

  it('hands every row back as given, in order: text, NULL, whole numbers and fractions', async () => {
    const rows = [...TEXTS.map((t, i) => [i + 1, t, i * 1_000_000_007, i + 0.1]), [TEXTS.length + 1, null, null, null]];
    const source = bulkRows(engine, 'r', [['n', 'integer'], ['t', 'text'], ['big', 'bigint'], ['x', 'double precision']], rows);
    const result = await sql<{ n: number; t: string | null; big: number | string | null; x: number | null }>`SELECT n, t, big, x FROM ${source} ORDER BY n`.execute(database.db);
    expect(result.rows.map((r) => [Number(r.n), r.t, r.big === null ? null : Number(r.big), r.x === null ? null : Number(r.x)])).toEqual(rows);
  });

  it('bulkIn matches exactly the values listed, and nothing for an empty list', async () => {
    const source = bulkRows(engine, 'r', [['t', 'text']], TEXTS.map((t) => [t]));
    const wanted = [TEXTS[1]!, TEXTS[3]!, TEXTS[5]!, 'not there'];
    const found = await sql<{ t: string }>`SELECT t FROM ${source} WHERE ${bulkIn(engine, 't', 'text', wanted)}`.execute(database.db);
    expect(found.rows.map((r) => r.t).sort()).toEqual([TEXTS[1]!, TEXTS[3]!, TEXTS[5]!].sort());
    const none = await sql<{ t: string }>`SELECT t FROM ${source} WHERE ${bulkIn(engine, 't', 'text', [])}`.execute(database.db);
    expect(none.rows).toEqual([]);
  });
});
