import type { SelectQueryBuilder } from 'kysely';
import type { Database, Engine } from './database.js';
import type { DB } from './schema.js';

/**
 * Where a service runs its queries: a whole database, or a transaction a caller already holds
 * (`{ db: trx, engine: database.engine }`). A `Database` is a scope as it is.
 */
export type DbScope = Pick<Database, 'db' | 'engine'>;

/**
 * Whether PostgreSQL gave up a transaction only because another one got in its way (a deadlock, or a
 * serialization failure); run again, it sees the other's result. SQLite has one writer, so never.
 */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const MAX_ATTEMPTS = 5;
const MAX_WAITS = 100;

/**
 * Thrown inside a transaction that must not commit before something outside it has finished (an opt-out while a
 * message to the same number is being handed to the gateway: messaging/send-leases.ts). The transaction that throws it
 * rolls back; inTransaction waits for `ready` and runs the work again. It must not be waited for inside the
 * transaction: on SQLite the thing waited for needs the connection the transaction holds.
 */
export class RetryWhenReady extends Error {
  constructor(
    readonly ready: Promise<void>,
    /** Epoch ms after which the wait is given up (the error is thrown to the caller) rather than retried. */
    readonly deadline: number,
  ) {
    super('waiting for a send in flight');
  }
}

/**
 * Runs `work` inside the scope's transaction, or in a new one when the scope is not a transaction. A new one is
 * run again when it loses a deadlock: status changes update the shared profile counters (migration 003), so two
 * transactions that each move several profiles can meet in opposite orders; and after waiting when it threw
 * RetryWhenReady. `work` must only read and write the
 * database (it may run more than once). A caller that passes its own transaction handles such a retry itself.
 */
export async function inTransaction<T>(scope: DbScope, work: (trx: DbScope) => Promise<T>): Promise<T> {
  if (scope.db.isTransaction) return work(scope);
  let waits = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await scope.db.transaction().execute((trx) => work({ db: trx, engine: scope.engine }));
    } catch (error) {
      // A send that keeps one number busy for ever (a new one every time this retries) must not hold this up for ever.
      if (error instanceof RetryWhenReady && waits++ < MAX_WAITS && Date.now() < error.deadline) {
        await error.ready;
        attempt -= 1;
        continue;
      }
      if (!isTransientConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      // A little jitter so the two losers of a crowd do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Locks the selected rows until the transaction ends (PostgreSQL `FOR UPDATE`). SQLite needs no row lock:
 * it has one writer at a time, and Kysely runs one transaction at a time on its single connection.
 */
export function forUpdate<DBX extends DB, TB extends keyof DBX, O>(scope: { engine: Engine }, query: SelectQueryBuilder<DBX, TB, O>): SelectQueryBuilder<DBX, TB, O> {
  return scope.engine === 'postgres' ? query.forUpdate() : query;
}

/** Like forUpdate, but other readers that also lock for share may proceed together (PostgreSQL `FOR SHARE`). */
export function forShare<DBX extends DB, TB extends keyof DBX, O>(scope: { engine: Engine }, query: SelectQueryBuilder<DBX, TB, O>): SelectQueryBuilder<DBX, TB, O> {
  return scope.engine === 'postgres' ? query.forShare() : query;
}
