import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DB } from '../schema.js';
import type { Database } from '../database.js';

/** Opens the embedded database file (or `:memory:`), tuned for one writer and many readers. */
export function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 10000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('cache_size = -65536');
  raw.pragma('temp_store = MEMORY');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: raw }) });
  return {
    engine: 'sqlite',
    db,
    sqlite: raw,
    isUniqueViolation: (error) =>
      typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
      || (error as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    close: () => db.destroy(),
  };
}
