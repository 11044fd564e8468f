import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { DB } from '../schema.js';
import type { Database } from '../database.js';

/**
 * Marks a statement (its SQL starts with this) whose rows come back as arrays of column values in select order:
 * better-sqlite3 builds each row object property by property, which costs more than reading a list page's rows.
 */
export const ROWS_AS_ARRAYS = '/* rows as arrays */ ';

// Enough for every statement shape the app sends often; rare shapes (bulk statements sized by their batch) fall out.
const STATEMENT_CACHE = 256;

/**
 * The connection as Kysely sees it, keeping each statement prepared once per SQL text (least recently used
 * dropped): preparing parses and plans the SQL again on every query, which was a large share of a
 * list request's fixed cost (bench/profile-list.ts). SQLite re-prepares a kept statement itself when the schema changes.
 */
function preparedOnce(raw: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text) {
      const fresh = () => {
        const prepared = raw.prepare(text);
        if (text.startsWith(ROWS_AS_ARRAYS)) prepared.raw(true);
        return prepared;
      };
      let statement = statements.get(text);
      // A statement still being iterated (a stream) cannot run again until it finishes: use a fresh one.
      if (statement?.busy) return fresh();
      if (statement) {
        statements.delete(text);
      } else {
        statement = fresh();
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
    close() {
      statements.clear();
      raw.close();
    },
  };
}

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
  // The planner needs statistics to drive searches from the FTS index rather than the company's rows;
  // a bounded analysis keeps this cheap at a million profiles (see sqlite.org/lang_analyze.html).
  raw.pragma('analysis_limit = 400');
  raw.pragma('optimize = 0x10002');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: preparedOnce(raw) }) });
  return {
    engine: 'sqlite',
    db,
    sqlite: raw,
    isUniqueViolation: (error) =>
      typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
      || (error as { code?: string } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    profileSearch: (needle) => {
      // The FTS5 trigram index matches a phrase as a substring; quotes make any input a single phrase.
      if ([...needle].length >= 3) return sql<boolean>`p.id IN (SELECT rowid FROM profiles_search WHERE profiles_search MATCH ${'"' + needle.replaceAll('"', '""') + '"'})`;
      // Trigrams cannot match one or two characters; scan instead. SQLite's LIKE ignores only ASCII case, so each
      // spelling of the (lower-cased) needle with other letters upper-cased is tried too: "é" also finds "É".
      const chars = [...needle];
      let spellings = [''];
      for (const c of chars) {
        const upper = c.toUpperCase();
        const forms = upper !== c && [...upper].length === 1 && !/^[a-z]$/.test(c) ? [c, upper] : [c];
        spellings = spellings.flatMap((s) => forms.map((f) => s + f));
      }
      const conditions = spellings.map((spelling) => {
        const pattern = `%${spelling.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        return sql<boolean>`p.first_name LIKE ${pattern} ESCAPE '\\' OR p.last_name LIKE ${pattern} ESCAPE '\\' OR p.email LIKE ${pattern} ESCAPE '\\' OR p.phone_digits LIKE ${pattern} ESCAPE '\\'`;
      });
      return sql<boolean>`(${sql.join(conditions, sql` OR `)})`;
    },
    streamChunks: async function* (query, chunkRows) {
      // WAL lets this handle read one snapshot while the main one writes. Sorts spill to temporary files rather than
      // memory, and the page cache is small, so a streamed read of any size stays flat in memory.
      const reader = path === ':memory:' ? new SQLite(raw.serialize()) : new SQLite(path, { readonly: true, fileMustExist: true });
      try {
        reader.pragma('busy_timeout = 10000');
        reader.pragma('cache_size = -16384');
        reader.pragma('temp_store = FILE');
        // Pulled synchronously a chunk at a time; the next chunk is read only when the consumer asks for it.
        let chunk: unknown[][] = [];
        for (const row of reader.prepare(query.sql).raw(true).iterate(...(query.parameters as unknown[]))) {
          chunk.push(row as unknown[]);
          if (chunk.length >= chunkRows) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length) yield chunk;
      } finally {
        reader.close();
      }
    },
    searchPlanByCount: true,
    unindexed: (column) => sql<number>`+${sql.ref(column)}`,
    refreshStatistics: async () => {
      raw.pragma('optimize');
    },
    close: () => db.destroy(),
  };
}
