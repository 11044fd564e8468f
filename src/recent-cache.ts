/**
 * Values a hot path reads on every request (the inbound webhook: the company's settings, its keywords), kept for a
 * moment per database. A change made in this process calls invalidate() once it has committed and is seen at once;
 * one made by another process is seen within `ttlMs`. Only for values where that moment is acceptable (say so
 * where it is used).
 */
export class RecentCache<K, V> {
  private generation = 0;
  private readonly byDatabase = new WeakMap<object, Map<K, { value: V; at: number; generation: number }>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(database: object, key: K, load: () => Promise<V>): Promise<V> {
    let entries = this.byDatabase.get(database);
    if (!entries) this.byDatabase.set(database, (entries = new Map()));
    const kept = entries.get(key);
    const now = Date.now();
    if (kept && kept.generation === this.generation && now - kept.at < this.ttlMs) return kept.value;
    // The generation as the read starts: a change committed meanwhile makes this entry stale at once.
    const generation = this.generation;
    const value = await load();
    if (entries.size >= this.maxEntries) entries.clear();
    entries.set(key, { value, at: now, generation });
    return value;
  }

  /** Call after a change commits. */
  invalidate(): void {
    this.generation += 1;
  }
}
