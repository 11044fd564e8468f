import { type RawBuilder, sql, type SqlBool } from 'kysely';
import type { Engine } from './database.js';

/** The SQL type of a column of rows passed in bulk (PostgreSQL casts each array to it; SQLite stores JSON values as they are). */
export type BulkType = 'text' | 'bigint' | 'integer' | 'double precision' | 'timestamptz';

export type BulkColumns = ReadonlyArray<readonly [name: string, type: BulkType]>;

/**
 * Many rows as a table a statement can select from, in a fixed number of parameters whatever the number of rows:
 * `(SELECT …) AS <alias>` with the columns named. One statement then writes a whole batch (INSERT … SELECT, UPDATE …
 * FROM), where one VALUES tuple per row meant a statement per few hundred rows (SQLite binds at most 32,766
 * parameters) and building and compiling each cost more than the database's own work. SQLite reads one JSON array
 * of row arrays with json_each; PostgreSQL unnests one typed array per column.
 */
export function bulkRows(engine: Engine, alias: string, columns: BulkColumns, rows: ReadonlyArray<readonly unknown[]>): RawBuilder<unknown> {
  if (engine === 'sqlite') {
    const select = columns.map(([name], i) => sql`value ->> ${sql.raw(String(i))} AS ${sql.ref(name)}`);
    return sql`(SELECT ${sql.join(select)} FROM json_each(${JSON.stringify(rows)})) AS ${sql.ref(alias)}`;
  }
  const arrays = columns.map(([, type], i) => sql`${rows.map((row) => row[i] ?? null)}::${sql.raw(type)}[]`);
  return sql`unnest(${sql.join(arrays)}) AS ${sql.ref(alias)}(${sql.join(columns.map(([name]) => sql.ref(name)))})`;
}

/**
 * `column IN (values)` with the list in one parameter (see bulkRows): SQLite reads it with json_each; PostgreSQL takes
 * an array with `= ANY`, which it answers from the column's index (an `IN (SELECT unnest(…))` it may hash-join
 * against the whole table instead).
 */
export function bulkIn(engine: Engine, column: string, type: BulkType, values: readonly unknown[]): RawBuilder<SqlBool> {
  if (engine === 'sqlite') return sql<SqlBool>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
  return sql<SqlBool>`${sql.ref(column)} = ANY(${values}::${sql.raw(type)}[])`;
}
