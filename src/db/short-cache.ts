import { LRUCache } from 'lru-cache';
import type { Database } from './database.js';

/**
 * A read that nearly every request repeats (who an API key belongs to, a company's custom fields), kept for a
 * few seconds per open database: on PostgreSQL each was a round trip before or beside the request's own queries,
 * and on both engines a share of a small request's fixed cost (bench/profile-list.ts).
 *
 * Staleness is bounded two ways. In this process, every write that changes what a cache holds calls `forget()`
 * once it has committed, and nothing read before that is used again: the change takes effect at the next request.
 * Another process on the same database (a second `roster serve`) cannot be told, so it may serve an entry for up to
 * `ttlMs` after the change (README, "Several servers on one database"). Only found values are kept, never "not found".
 */
export class ShortCache<V extends object> {
  // One cache per open database (tests open many, and their ids overlap); dropped with the database.
  private readonly byDatabase = new WeakMap<Database, LRUCache<string, { value: V; generation: number }>>();
  // Bumped by forget(): an entry read under an older generation is no longer used. One counter for every database
  // keeps forget() O(1); writes to what these caches hold are rare, so forgetting too much costs little.
  private generation = 0;

  constructor(private readonly options: { max: number; ttlMs: number }) {}

  /** The kept value for `key`, or `read()`'s (kept for at most `ttlMs`, or until `expiresAt`, epoch ms, if sooner). */
  async get(database: Database, key: string, read: () => Promise<{ value: V; expiresAt?: number } | undefined>): Promise<V | undefined> {
    const kept = this.peek(database, key);
    if (kept) return kept;
    let cache = this.byDatabase.get(database);
    if (!cache) this.byDatabase.set(database, (cache = new LRUCache({ max: this.options.max, ttl: this.options.ttlMs })));
    const generation = this.generation;
    const found = await read();
    if (!found) return undefined;
    // A write that committed while this read was under way may be missing from it: then it serves this request only.
    if (generation === this.generation) {
      const ttl = found.expiresAt === undefined ? this.options.ttlMs : Math.min(this.options.ttlMs, found.expiresAt - Date.now());
      if (ttl >= 1) cache.set(key, { value: found.value, generation }, { ttl });
    }
    return found.value;
  }

  /** The kept value for `key`, if there is one still in use; reads nothing. */
  peek(database: Database, key: string): V | undefined {
    const kept = this.byDatabase.get(database)?.get(key);
    return kept && kept.generation === this.generation ? kept.value : undefined;
  }

  /** Stops using everything read so far, in every database of this process: call after a write to what the cache holds commits. */
  forget(): void {
    this.generation += 1;
  }
}

/** `write`'s result, once `cache` has forgotten what it held (whether the write committed or failed). */
export async function afterCommit<T>(cache: { forget(): void }, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } finally {
    cache.forget();
  }
}
