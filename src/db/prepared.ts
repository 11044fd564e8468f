import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';
import type { Engine } from './database.js';
import type { DbScope } from './scope.js';

/** Stands for the argument at `index` while a prepared query is built. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A query built and compiled once per engine, then run with new arguments: building and compiling a Kysely query costs
 * more than running a small one on SQLite (bench/inbound.ts), so the inbound webhook's statements skip it. `build`
 * must use each argument only as a plain parameter value (no `in` lists, no branching on an argument's value).
 */
export function prepared<Args extends unknown[], R>(build: (scope: DbScope, ...args: Args) => Compilable<R>): (scope: DbScope, ...args: Args) => Promise<QueryResult<R>> {
  const compiled = new Map<Engine, { sql: string; parameters: readonly unknown[] }>();
  return (scope, ...args) => {
    let query = compiled.get(scope.engine);
    if (!query) {
      const slots = args.map((_, index) => new Slot(index)) as Args;
      const built = build(scope, ...slots).compile();
      query = { sql: built.sql, parameters: built.parameters };
      compiled.set(scope.engine, query);
    }
    const parameters = query.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
    return scope.db.executeQuery(CompiledQuery.raw(query.sql, parameters)) as Promise<QueryResult<R>>;
  };
}
