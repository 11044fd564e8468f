import type { CompiledQuery, Kysely, RawBuilder, SqlBool } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { DB } from './schema.js';
import { openSqlite } from './dialect/sqlite.js';
import { openPostgres } from './dialect/postgres.js';
import { AppError } from '../errors.js';

export type Engine = 'sqlite' | 'postgres';

/** An open database: the typed query builder plus what differs between engines. */
export interface Database {
  engine: Engine;
  db: Kysely<DB>;
  /** The raw handle, for bulk paths and benchmarks that must bypass the query builder. */
  sqlite?: SQLite.Database;
  pgPool?: pg.Pool;
  isUniqueViolation(error: unknown): boolean;
  /**
   * A condition on the profiles table aliased `p`: its name, email or phone digits contain `needle`
   * (already lower-cased), ignoring case and, on SQLite, accents.
   */
  profileSearch(needle: string): RawBuilder<SqlBool>;
  /**
   * Runs one compiled SELECT as a streaming read (an export), a chunk of rows at a time, each row the array of its
   * column values in select order: no row objects and no promise per row. It must not hold up other queries, and it
   * reads one snapshot: PostgreSQL reads a cursor on a pooled connection of its own; SQLite iterates the statement on a
   * second, read-only handle on the file (an in-memory database: on a copy of it), since a stream would otherwise hold
   * its single connection for its whole length. Leaving the loop early closes the cursor or handle.
   */
  streamChunks(query: CompiledQuery, chunkRows: number): AsyncGenerator<unknown[][], void, undefined>;
  /**
   * True where the planner cannot tell a rare search term from a common one (SQLite), so the list
   * decides from the exact count whether to start from the search index, using `unindexed` to say so.
   */
  readonly searchPlanByCount: boolean;
  /** A column reference the planner must not use an index for (SQLite's unary +); plain elsewhere. */
  unindexed(column: string): RawBuilder<number>;
  /** Lets the query planner catch up after bulk writes (SQLite has no autovacuum/autoanalyze; PostgreSQL's lags a long job). */
  refreshStatistics(): Promise<void>;
  close(): Promise<void>;
}

/** Opens `sqlite:<path>` or `postgres://…`. */
export function openDatabase(url: string): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new AppError('invalid_config', `ROSTER_DATABASE_URL=${JSON.stringify(url)} is not supported (accepted: sqlite:<path> or postgres://…)`);
}
