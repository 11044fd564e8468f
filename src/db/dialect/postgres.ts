import pg from 'pg';
import Cursor from 'pg-cursor';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from 'kysely';
import type { DB } from '../schema.js';
import type { Database } from '../database.js';

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;

// Ids and counts are bigint in PostgreSQL; they stay far below 2^53, so numbers are safe and match SQLite.
// Timestamps come back as the same ISO 8601 strings SQLite stores.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === TIMESTAMPTZ) return (v: string) => new Date(v).toISOString();
    if (oid === TIMESTAMP) return (v: string) => new Date(`${v}Z`).toISOString();
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

/**
 * Starts a statement that PostgreSQL must plan for each call's own values: the profile list's shapes (compiled.ts),
 * whose best plan depends on the search term and filters. Kysely's other statements are prepared (see preparingPool).
 */
export const PLAN_EACH_CALL = '/* planned each call */ ';

// Statement names given out, one per SQL text for the life of the process; past the limit a new text is sent unnamed.
// Long texts (a multi-row VALUES list, whose text differs with every row count) are never named: each connection keeps
// every statement it prepared, so the limits bound what that costs the database's memory.
const statementNames = new Map<string, string>();
const MOST_NAMED_STATEMENTS = 1000;
const LONGEST_NAMED_TEXT = 4000;

/** The name Kysely's statement of this SQL text is prepared under on every connection, or undefined for none. */
export function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MOST_NAMED_STATEMENTS && text.length <= LONGEST_NAMED_TEXT && !text.startsWith(PLAN_EACH_CALL)) {
    statementNames.set(text, (name = `roster_${statementNames.size}`));
  }
  return name;
}

/**
 * The pool as Kysely sees it: each statement with parameters goes as a named (prepared) statement, which each
 * connection parses once, and which PostgreSQL plans once when a generic plan is as cheap as planning each call.
 * Unnamed, every statement was parsed, analysed and planned anew: a first text from a new number runs about twenty
 * (profile, audit, message, subscription, reply, conversation), and preparing them cut the database's CPU per such text
 * by a third and raised first-contact webhooks/s by a fifth (bench/inbound.ts, round 1). Statements without
 * parameters (BEGIN, COMMIT, DDL), cursors and queries sent through the pool itself (`pgPool.query`) go as they are.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    connect: async () => {
      const client = await pool.connect();
      return {
        query: ((text: unknown, values?: unknown[]) => {
          const name = typeof text === 'string' && values?.length ? statementName(text) : undefined;
          // A cursor (Kysely's stream) is a submittable object, which pg answers with itself.
          return name ? client.query({ name, text: text as string, values }) : client.query(text as never, values);
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}

/** Opens a PostgreSQL pool for a postgres:// URL. */
export function openPostgres(url: string, options: { max?: number; onIdleError?: (error: Error) => void } = {}): Database {
  // JIT off for Roster's sessions: it is for long analytical queries, and PostgreSQL decides by the planner's cost
  // estimate, which for a search page over a million profiles crossed jit_above_cost — 22 ms compiling a query that
  // runs in 17 (bench/profile-list.ts). Every query Roster sends is short or streamed. A connection string's own
  // `options` parameter, if it has one, takes precedence.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types, options: '-c jit=off' });
  // An idle connection killed by the server (restart, failover, DROP DATABASE) must not crash the process;
  // the pool replaces it and the next query reports any lasting problem.
  pool.on('error', (error) => options.onIdleError?.(error));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool), cursor: Cursor }) });
  return {
    engine: 'postgres',
    db,
    pgPool: pool,
    isUniqueViolation: (error) => (error as { code?: string } | null)?.code === '23505',
    // search_text is lower-cased and indexed with pg_trgm, which serves LIKE '%…%'.
    profileSearch: (needle) => sql<boolean>`p.search_text LIKE ${'%' + needle.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`,
    streamChunks: async function* (query, chunkRows) {
      // The cursor holds one pooled connection; other queries take the others. One statement is one snapshot.
      const client = await pool.connect();
      const cursor = client.query(new Cursor<unknown[]>(query.sql, query.parameters as unknown[], { rowMode: 'array' }));
      let broken: Error | undefined;
      try {
        for (;;) {
          const rows = await cursor.read(chunkRows);
          if (rows.length === 0) return;
          yield rows;
        }
      } catch (error) {
        broken = error as Error;
        throw error;
      } finally {
        await cursor.close().catch(() => undefined);
        // A connection that failed mid-read is discarded rather than handed to the next query.
        client.release(broken);
      }
    },
    // PostgreSQL's trigram statistics already tell rare terms from common ones.
    searchPlanByCount: false,
    unindexed: (column) => sql<number>`${sql.ref(column)}`,
    // autovacuum keeps PostgreSQL's statistics current, but not within one long bulk write: a company that grew from
    // nothing to a million profiles in one upload still looks empty to the planner, which then reads all its rows to
    // find a few thousand numbers (bench/upload.ts: 0.5 s per 2,000-number lookup at a million rows).
    refreshStatistics: async () => {
      await sql`ANALYZE profiles, profile_field_values, group_members, upload_rows`.execute(db);
    },
    close: () => db.destroy(),
  };
}
