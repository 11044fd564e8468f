import { RetryWhenReady, type DbScope } from '../../db/scope.js';
import { prepared } from '../../db/prepared.js';

/**
 * Send leases keep the send invariant (SPEC §3) without holding a lock across a gateway call. Messaging.handOff checks a
 * profile is textable and marks the message `sending` until `lease_until`, under the profile's lock, in a transaction
 * that commits at once; then it calls the gateway, outside any transaction, starting the request well before the lease
 * ends (SEND_START_WINDOW_MS) and giving it up before it ends (the gateway's timeout); then it records the answer and
 * ends the lease. Every opt-out locks the profile and, before it commits, calls waitForSendsTo: while a lease on the
 * profile is live, the opt-out's transaction rolls back, waits for the lease to end and runs again. So an opt-out
 * either commits before a handoff's check (which then refuses) or after its gateway call is over: no message reaches
 * the gateway after its number's opt-out committed, and other numbers' messages are not held up meanwhile.
 */

/** How long after its lease starts a handoff may still start a gateway request; later, it gives the message back. */
export const SEND_START_WINDOW_MS = 5_000;

/** The lease a handoff takes: it may start a request within the window, and each of its (at most two) attempts ends by the gateway's timeout. */
export function leaseLength(gatewayTimeoutMs: number): number {
  return SEND_START_WINDOW_MS + 2 * gatewayTimeoutMs + 1_000;
}

// Handoffs under way in this process, by message id (ids are unique across companies): a waiter here is woken the
// moment the lease ends rather than polling the database.
const running = new Map<number, Promise<void>>();

/** Marks a handoff of this process as under way until the returned function is called. */
export function holdLease(messageId: number): () => void {
  let end!: () => void;
  running.set(messageId, new Promise<void>((resolve) => (end = resolve)));
  return () => {
    running.delete(messageId);
    end();
  };
}

const POLL_MS = 10;

/** Resolves when the lease of this message may have ended: at once in this process, else after a short poll, never after `until`. */
function leaseEnded(messageId: number, until: number): Promise<void> {
  const local = running.get(messageId);
  if (local) return local;
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(POLL_MS, until - Date.now()))));
}

const liveLeaseQuery = prepared((scope: DbScope, companyId: number, profileId: number, now: string) =>
  scope.db
    .selectFrom('messages')
    .select(['id', 'lease_until'])
    .where('company_id', '=', companyId)
    .where('profile_id', '=', profileId)
    .where('status', '=', 'sending')
    .where('lease_until', '>', now)
    .limit(1));

/**
 * Inside a transaction that holds the profile's lock and is about to make it untextable: throws RetryWhenReady while a
 * message to the profile is being handed to the gateway (inTransaction waits for it and runs the transaction again).
 */
export async function waitForSendsTo(trx: DbScope, companyId: number, profileId: number): Promise<void> {
  const { rows } = await liveLeaseQuery(trx, companyId, profileId, new Date().toISOString());
  const lease = rows[0];
  if (!lease) return;
  const until = new Date(lease.lease_until as string | Date).getTime();
  throw new RetryWhenReady(leaseEnded(Number(lease.id), until), until);
}

/** Like waitForSendsTo, for one message whose delivery report came before its handoff recorded the gateway's answer. */
export function waitForLease(message: { id: number; status: string; lease_until: string | Date | null }): void {
  if (message.status !== 'sending' || !message.lease_until) return;
  const until = new Date(message.lease_until).getTime();
  if (until > Date.now()) throw new RetryWhenReady(leaseEnded(message.id, until), until);
}
