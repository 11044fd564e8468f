import { type CompiledQuery, createQueryId, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import type { Database } from '../../src/db/database.js';

/** A SQL statement with its parameters, as the driver receives it. */
export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/** Records the SQL of every query Kysely runs (compiled exactly as the dialect will send it), and changes nothing. */
class CapturePlugin implements KyselyPlugin {
  readonly statements: Statement[] = [];
  constructor(private readonly compile: (node: RootOperationNode) => CompiledQuery) {}

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.compile(node);
    this.statements.push({ sql: compiled.sql, parameters: compiled.parameters });
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

/**
 * The same database with a query builder that records every statement run through it, so service code
 * (e.g. listProfiles) can be run once to learn exactly which SQL it sends.
 */
export function capturing(database: Database): { database: Database; statements: Statement[] } {
  const executor = database.db.getExecutor();
  const plugin = new CapturePlugin((node) => executor.compileQuery(node, createQueryId()));
  return { database: { ...database, db: database.db.withPlugin(plugin) }, statements: plugin.statements };
}

// better-sqlite3 statements prepared once per connection and SQL text.
const prepared = new WeakMap<object, Map<string, { all(...parameters: unknown[]): unknown[] }>>();

/** Runs a statement through the raw driver (a better-sqlite3 statement prepared once, or a pg query on the pool). */
export async function runRaw<Row = Record<string, unknown>>(database: Database, statement: Statement): Promise<Row[]> {
  const raw = database.sqlite;
  if (raw) {
    let statements = prepared.get(raw);
    if (!statements) prepared.set(raw, (statements = new Map()));
    let s = statements.get(statement.sql);
    if (!s) statements.set(statement.sql, (s = raw.prepare(statement.sql)));
    return s.all(...(statement.parameters as unknown[])) as Row[];
  }
  const result = await database.pgPool!.query(statement.sql, statement.parameters as unknown[]);
  return result.rows as Row[];
}

/**
 * The plan of a statement: SQLite's EXPLAIN QUERY PLAN as an indented tree, PostgreSQL's
 * EXPLAIN (ANALYZE, BUFFERS) (which runs the statement; use for SELECTs only).
 */
export async function explain(database: Database, statement: Statement): Promise<string[]> {
  if (database.sqlite) {
    const rows = database.sqlite.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...(statement.parameters as unknown[])) as Array<{ id: number; parent: number; detail: string }>;
    const depth = new Map<number, number>([[0, -1]]);
    return rows.map((row) => {
      const d = (depth.get(row.parent) ?? -1) + 1;
      depth.set(row.id, d);
      return `${'  '.repeat(d)}${row.detail}`;
    });
  }
  const result = await database.pgPool!.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.parameters as unknown[]);
  return result.rows.map((row: Record<string, string>) => row['QUERY PLAN']!);
}

/** The statement with its parameters written in, for reading (not for running). */
export function inline(statement: Statement): string {
  let i = 0;
  const literal = (value: unknown) => (typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : value === null || value === undefined ? 'NULL' : String(value));
  return statement.sql
    .replace(/\$(\d+)/g, (_, n: string) => literal(statement.parameters[Number(n) - 1]))
    .replace(/\?/g, () => literal(statement.parameters[i++]));
}
