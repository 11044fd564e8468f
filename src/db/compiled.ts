import { type Compilable, type CompiledQuery, createQueryId, type Kysely } from 'kysely';
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
  let cache = caches.get(executor.adapter);
  if (!cache) caches.set(executor.adapter, (cache = new Map()));
  const lengths = Object.entries(values).filter(([, v]) => Array.isArray(v)).map(([name, v]) => `${name}:${(v as unknown[]).length}`);
  const fullKey = lengths.length ? `${key}\u0000${lengths.join(',')}` : key;
  let compiled = cache.get(fullKey);
  if (compiled) {
    // Least recently used goes first.
    cache.delete(fullKey);
  } else {
    compiled = build(slotsFor(values)).compile();
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(fullKey, compiled);
  const query: CompiledQuery<Row> = { query: compiled.query, queryId: createQueryId(), sql: compiled.sql, parameters: compiled.parameters.map((p) => valueOf(values, p)) };
  return (await db.executeQuery(query)).rows;
}
