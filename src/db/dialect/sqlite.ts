import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
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

// The worker's whole program: its own connection to the file, a passive checkpoint every interval (it never waits for
// or blocks a writer or reader), until the parent says stop.
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next one catches up */ }
}, workerData.intervalMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;
const CHECKPOINT_EVERY_MS = 200;
// The main connection still checkpoints on its own when the WAL passes this many pages (≈ 80 MB): a backstop should
// the worker fall behind, never the usual path.
const MAIN_AUTOCHECKPOINT_PAGES = 20_000;

/**
 * A checkpoint copies the WAL's pages into the database file and fsyncs both. SQLite runs it inside the commit that
 * crossed the WAL's threshold (1,000 pages), so that commit, and the request waiting on it, paid tens of milliseconds
 * (bench/inbound.ts: commits averaged 390 µs with it, 170 µs without). A worker thread with its own connection
 * checkpoints instead, passively, every 200 ms: the event loop never waits for an fsync of the database file.
 */
function startCheckpointer(path: string): () => Promise<void> {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path: resolve(path), intervalMs: CHECKPOINT_EVERY_MS },
  });
  worker.unref();
  // A worker that fails leaves checkpoints to the main connection's backstop; nothing is lost.
  worker.on('error', () => undefined);
  return async () => {
    // Held while it stops: a process with nothing else to do would otherwise exit before close() returns.
    worker.ref();
    const exited = new Promise<void>((done) => worker.once('exit', () => done()));
    worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((done) => (timer = setTimeout(done, 2_000)))]);
    clearTimeout(timer);
    await worker.terminate();
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
  const stopCheckpointer = path === ':memory:' ? undefined : (raw.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`), startCheckpointer(path));
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
    close: async () => {
      await stopCheckpointer?.();
      await db.destroy();
    },
  };
}
