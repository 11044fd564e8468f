import { type Compilable, type CompiledQuery, createQueryId, type Kysely, PostgresAdapter } from 'kysely';
import type { Database } from './database.js';
import { PLAN_EACH_CALL } from './dialect/postgres.js';
import { ROWS_AS_ARRAYS } from './dialect/sqlite.js';
import type { DB } from './schema.js';

/** Where a value goes in a query compiled once: the call's value replaces it when the query runs. */
class Slot {
  constructor(readonly name: string, readonly index: number | null) {}
}

/** The values a query compiled once takes: scalars, or lists (one parameter per item, e.g. for `in`). */
export type SlotValues = Record<string, string | number | null | readonly (string | number)[]>;

// Enough for every query shape a busy server sends often; shapes holding a search term come and go.
const CACHE_SIZE = 500;

// The compiled SQL differs by dialect (placeholders, quoting): one cache per dialect adapter, which an open
// database, its transactions and its plugin copies share. Only SQL text and slots are kept, never values.
const caches = new WeakMap<object, Map<string, CompiledQuery>>();

function slotsFor<V extends SlotValues>(values: V): V {
  const slots: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) slots[name] = Array.isArray(value) ? value.map((_, i) => new Slot(name, i)) : new Slot(name, null);
  return slots as V;
}

function valueOf(values: SlotValues, parameter: unknown): unknown {
  if (!(parameter instanceof Slot)) return parameter;
  const value = values[parameter.name];
  return parameter.index === null ? value : (value as readonly unknown[])[parameter.index];
}

/**
 * Runs the query `build` makes, compiled once per `key` (and dialect) and then reused with this call's values:
 * building and compiling a Kysely query costs more than running a small indexed one (bench/profile-list.ts).
 *
 * `build` must use `values` only as SQL values, never to decide the query's shape (on the cached path they are
 * placeholders); everything else that shapes the query or that it holds as a value must be in `key`. List values
 * become one parameter per item, and their lengths are part of the key. With plugins on `db` (the benchmark's SQL
 * capture) the query is built and run as usual, so plugins see every query.
 */
export async function compiledOnce<V extends SlotValues, Row>(db: Kysely<DB>, key: string, values: V, build: (values: V) => Compilable<Row>): Promise<Row[]> {
  const executor = db.getExecutor();
  if (executor.plugins.length) return (await db.executeQuery(build(values))).rows;
  return (await db.executeQuery(compiledFor(db, key, values, build, planPrefix(db)))).rows;
}

// PostgreSQL plans these shapes for each call's values (a search term, the filters), never once for all of them.
const planPrefix = (db: Kysely<DB>) => (db.getExecutor().adapter instanceof PostgresAdapter ? PLAN_EACH_CALL : '');

/**
 * `compiledOnce` answering each row as the array of its column values in select order: on SQLite the driver then
 * builds no row objects, which for a page of wide rows costs more than reading them (bench/profile-list.ts).
 */
export async function compiledArrays<V extends SlotValues>(database: Database, key: string, values: V, build: (values: V) => Compilable<unknown>): Promise<unknown[][]> {
  const db = database.db;
  if (db.getExecutor().plugins.length || database.engine !== 'sqlite') {
    const query = db.getExecutor().plugins.length ? build(values).compile() : compiledFor(db, key, values, build, planPrefix(db));
    return (await db.executeQuery(query)).rows.map((row) => Object.values(row as object));
  }
  return (await db.executeQuery(compiledFor(db, key, values, build, ROWS_AS_ARRAYS))).rows as unknown[][];
}

/**
 * The query compiled once for its key and dialect, with this call's values. `sqlPrefix` goes before its SQL once, when
 * compiled: the same SQL string object every time lets the prepared-statement cache find it without rehashing the text.
 */
function compiledFor<V extends SlotValues, Row>(db: Kysely<DB>, key: string, values: V, build: (values: V) => Compilable<Row>, sqlPrefix = ''): CompiledQuery<Row> {
  const executor = db.getExecutor();
  let cache = caches.get(executor.adapter);
  if (!cache) caches.set(executor.adapter, (cache = new Map()));
  const lengths = Object.entries(values).filter(([, v]) => Array.isArray(v)).map(([name, v]) => `${name}:${(v as unknown[]).length}`);
  const fullKey = `${sqlPrefix}${key}${lengths.length ? `\u0000${lengths.join(',')}` : ''}`;
  let compiled = cache.get(fullKey);
  if (compiled) {
    // Least recently used goes first.
    cache.delete(fullKey);
  } else {
    compiled = build(slotsFor(values)).compile();
    if (sqlPrefix) compiled = { ...compiled, sql: sqlPrefix + compiled.sql };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(fullKey, compiled);
  return { query: compiled.query, queryId: createQueryId(), sql: compiled.sql, parameters: compiled.parameters.map((p) => valueOf(values, p)) } as CompiledQuery<Row>;
}
