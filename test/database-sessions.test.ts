import { expect, it } from 'vitest';
import { describeEachEngine, freshDatabase } from './db.js';

/** Settings Roster gives its own database sessions (src/db/dialect/). */
describeEachEngine('database sessions', (engine) => {
  it(engine === 'postgres' ? 'every pooled PostgreSQL session runs without JIT compilation' : 'the SQLite connection enforces foreign keys and waits for a busy writer', async () => {
    const database = await freshDatabase(engine);
    if (engine === 'sqlite') {
      expect(database.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(database.sqlite!.pragma('busy_timeout', { simple: true })).toBe(10_000);
      return;
    }
    // Every pooled connection, not just the first: hold several at once.
    const clients = await Promise.all([1, 2, 3].map(() => database.pgPool!.connect()));
    try {
      for (const client of clients) expect((await client.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
    } finally {
      for (const client of clients) client.release();
    }
  });
});
