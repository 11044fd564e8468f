import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, MessagesTable } from '../../db/schema.js';
import { prepared } from '../../db/prepared.js';
import { type DbScope, forUpdate } from '../../db/scope.js';
import { PROFILE_STATE_COLUMNS, type ProfileStateRow } from '../profiles/profiles.repository.js';

/** The message read model (no selectAll on API paths). */
export const MESSAGE_COLUMNS = [
  'id', 'profile_id', 'direction', 'body', 'status', 'gateway', 'gateway_message_id', 'error_code', 'error_message', 'attempts',
  'carrier_name', 'possible_opt_out', 'intent', 'campaign_id', 'created_at', 'updated_at', 'lease_until',
] as const;

export interface MessageRow {
  id: number;
  profile_id: number;
  direction: string;
  body: string;
  status: string;
  gateway: string;
  gateway_message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  carrier_name: string | null;
  possible_opt_out: number;
  intent: string | null;
  campaign_id: number | null;
  created_at: string;
  updated_at: string;
  /** While `sending`: the handoff's send lease (send-leases.ts). */
  lease_until: string | null;
}

export type NewMessage = Omit<MessagesTable, 'company_id' | 'id' | 'attempts' | 'possible_opt_out' | 'lease_until'> & { possible_opt_out?: number; attempts?: number };
export type MessageUpdate = Partial<Pick<MessagesTable, 'status' | 'gateway_message_id' | 'error_code' | 'error_message' | 'carrier_name' | 'updated_at'> & { attempts: number; possible_opt_out: number; lease_until: string | null }>;

// The message's columns, in the order insertMessageQuery takes them.
const NEW_MESSAGE_COLUMNS = [
  'profile_id', 'direction', 'body', 'status', 'gateway', 'gateway_message_id', 'error_code', 'error_message', 'attempts',
  'carrier_name', 'possible_opt_out', 'intent', 'campaign_id', 'created_at', 'updated_at',
] as const;

// Prepared (every inbound message runs it, bench/inbound.ts): the arguments are the company id, then NEW_MESSAGE_COLUMNS.
const insertMessageQuery = prepared((scope: DbScope, ...args: unknown[]) =>
  scope.db
    .insertInto('messages')
    .values({ company_id: args[0], ...Object.fromEntries(NEW_MESSAGE_COLUMNS.map((column, i) => [column, args[i + 1]])) } as never)
    .onConflict((oc) => oc.columns(['company_id', 'gateway', 'gateway_message_id']).doNothing())
    .returning(MESSAGE_COLUMNS));

/** Inserts a message; an inbound one whose gateway id is already recorded is skipped (answers undefined). */
export async function insertMessage(scope: DbScope, companyId: number, values: NewMessage): Promise<MessageRow | undefined> {
  const row: Required<NewMessage> = { ...values, possible_opt_out: values.possible_opt_out ?? 0, attempts: values.attempts ?? 0 };
  const { rows } = await insertMessageQuery(scope, companyId, ...NEW_MESSAGE_COLUMNS.map((column) => row[column]));
  return rows[0] as MessageRow | undefined;
}

/** Locks the profile a message belongs to (as lockProfileStates does) and reads its state: one statement, by the message. */
export async function lockProfileOfMessage(scope: DbScope, companyId: number, messageId: number): Promise<ProfileStateRow | undefined> {
  return (await lockOfMessageQuery(scope, companyId, messageId)).rows[0] as ProfileStateRow | undefined;
}

// Prepared: every reply's handoff runs it (bench/inbound.ts).
const lockOfMessageQuery = prepared((scope: DbScope, companyId: number, messageId: number) =>
  forUpdate(scope, scope.db
    .selectFrom('profiles')
    .select(PROFILE_STATE_COLUMNS)
    .where('company_id', '=', companyId)
    .where('id', '=', (eb) => eb.selectFrom('messages').select('profile_id').where('company_id', '=', companyId).where('id', '=', messageId))));

/** Records the carrier on a message that names none yet (a delivery report may have named it first). */
export function setUnknownCarrier(db: Kysely<DB>, companyId: number, messageId: number, carrierName: string) {
  return db.updateTable('messages').set({ carrier_name: carrierName }).where('company_id', '=', companyId).where('id', '=', messageId).where('carrier_name', 'is', null).execute();
}

export function findMessage(db: Kysely<DB>, companyId: number, messageId: number) {
  return db.selectFrom('messages').select(MESSAGE_COLUMNS).where('company_id', '=', companyId).where('id', '=', messageId).executeTakeFirst() as Promise<MessageRow | undefined>;
}

/** The message a gateway knows by this id (dedupe of webhooks; matching delivery reports). */
export function findByGatewayId(db: Kysely<DB>, companyId: number, gateway: string, gatewayMessageId: string) {
  return db
    .selectFrom('messages')
    .select(MESSAGE_COLUMNS)
    .where('company_id', '=', companyId)
    .where('gateway', '=', gateway)
    .where('gateway_message_id', '=', gatewayMessageId)
    .executeTakeFirst() as Promise<MessageRow | undefined>;
}

export function updateMessage(db: Kysely<DB>, companyId: number, messageId: number, values: MessageUpdate) {
  return db.updateTable('messages').set(values).where('company_id', '=', companyId).where('id', '=', messageId).execute();
}

// Statuses a message has once the gateway answered its handoff (the handoff records the gateway's id with `sent`).
const ANSWERED = ['sent', 'delivered', 'undelivered', 'failed'];

// Prepared (every reply gets two status callbacks, bench/inbound.ts): company, message, gateway, gateway id, time.
const deliveredQuery = prepared((scope: DbScope, companyId: number, messageId: number, gateway: string, gatewayMessageId: string, at: string) =>
  scope.db
    .updateTable('messages')
    .set({ status: 'delivered', updated_at: at })
    .where('company_id', '=', companyId)
    .where('id', '=', messageId)
    .where('direction', '=', 'outbound')
    .where('gateway', '=', gateway)
    .where('gateway_message_id', '=', gatewayMessageId)
    .where('status', '=', 'sent')
    .returning(MESSAGE_COLUMNS));

const answeredQuery = prepared((scope: DbScope, companyId: number, messageId: number, gateway: string, gatewayMessageId: string) =>
  scope.db
    .selectFrom('messages')
    .select(MESSAGE_COLUMNS)
    .where('company_id', '=', companyId)
    .where('id', '=', messageId)
    .where('direction', '=', 'outbound')
    .where('gateway', '=', gateway)
    .where('gateway_message_id', '=', gatewayMessageId)
    .where('status', 'in', ANSWERED));

/**
 * A report that a message was sent or delivered and nothing more (no error, no carrier), in one statement: `delivered`
 * moves a `sent` message on; `sent` changes nothing for a message the gateway has answered for (its handoff recorded
 * `sent` already). Answers the message, or undefined when the report is not that simple for it — the message is still
 * being handed off or queued again for a resend, the id is another attempt's, or it is already final for `delivered` —
 * and the caller takes the general path (Messaging.applyDeliveryReport). No profile lock: it never touches a message
 * being handed off (`sending`, the send lease) and changes nothing an opt-out or a send reads.
 */
export async function recordDeliveryProgress(scope: DbScope, companyId: number, messageId: number, gateway: string, gatewayMessageId: string, status: 'sent' | 'delivered', at: string): Promise<MessageRow | undefined> {
  const { rows } = status === 'delivered'
    ? await deliveredQuery(scope, companyId, messageId, gateway, gatewayMessageId, at)
    : await answeredQuery(scope, companyId, messageId, gateway, gatewayMessageId);
  return rows[0] as MessageRow | undefined;
}

/**
 * Outbound messages of one gateway still queued since before `before`, oldest first, of every company, then those left
 * `sending` by a handoff whose lease is over (its process stopped): the dispatcher's fallback sweep
 * (Messaging.sweepQueued), a system task like the job queue's claim, hands each off under its own company.
 */
export async function staleQueuedOutbound(db: Kysely<DB>, gateway: string, before: string, limit: number, now: string) {
  const queued = await db
    .selectFrom('messages')
    .select(['company_id', 'id'])
    .where('status', '=', 'queued')
    .where('updated_at', '<', before)
    .where('gateway', '=', gateway)
    .where('direction', '=', 'outbound')
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  if (queued.length >= limit) return queued;
  const abandoned = await db
    .selectFrom('messages')
    .select(['company_id', 'id'])
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .where('gateway', '=', gateway)
    .orderBy('lease_until')
    .limit(limit - queued.length)
    .execute();
  return [...queued, ...abandoned];
}

/** A page of a profile's conversation, newest first, before a message id (keyset). */
export function pageOfConversation(db: Kysely<DB>, companyId: number, profileId: number, limit: number, before?: number) {
  let query = db.selectFrom('messages').select(MESSAGE_COLUMNS).where('company_id', '=', companyId).where('profile_id', '=', profileId);
  if (before !== undefined) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute() as Promise<MessageRow[]>;
}

/**
 * Moves a profile's conversation to its newest message, counting a new possible opt-out. Call it with the profile
 * locked (every message is written under that lock), so two writers never race on the row.
 */
export async function touchConversation(scope: DbScope, companyId: number, profileId: number, messageId: number, possibleOptOut: boolean, at: string): Promise<void> {
  await touchConversationQuery(scope, companyId, profileId, messageId, possibleOptOut ? 1 : 0, at);
}

const touchConversationQuery = prepared((scope: DbScope, companyId: number, profileId: number, messageId: number, possibleOptOuts: number, at: string) =>
  scope.db
    .insertInto('conversations')
    .values({ company_id: companyId, profile_id: profileId, last_message_id: messageId, possible_opt_outs: possibleOptOuts, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['company_id', 'profile_id']).doUpdateSet((eb) => ({
        last_message_id: eb.ref('excluded.last_message_id'),
        possible_opt_outs: eb(eb.ref('conversations.possible_opt_outs'), '+', eb.ref('excluded.possible_opt_outs')),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    ));

/** One fewer possible opt-out to look at in the profile's conversation. */
export function dismissInConversation(db: Kysely<DB>, companyId: number, profileId: number, at: string) {
  return db
    .updateTable('conversations')
    .set((eb) => ({ possible_opt_outs: eb(eb.ref('possible_opt_outs'), '-', 1), updated_at: at }))
    .where('company_id', '=', companyId)
    .where('profile_id', '=', profileId)
    .where('possible_opt_outs', '>', 0)
    .execute();
}

export interface InboxRow {
  profile_id: number;
  last_message_id: number;
  possible_opt_outs: number;
}

/** A page of the Inbox, latest conversation first; only those with a possible opt-out to look at when asked. */
export function pageOfInbox(db: Kysely<DB>, companyId: number, filter: { possibleOptOut: boolean; limit: number; offset: number }) {
  let query = db.selectFrom('conversations').select(['profile_id', 'last_message_id', 'possible_opt_outs']).where('company_id', '=', companyId);
  if (filter.possibleOptOut) query = query.where('possible_opt_outs', '>', 0);
  return query.orderBy('last_message_id', 'desc').limit(filter.limit).offset(filter.offset).execute() as Promise<InboxRow[]>;
}

export async function countInbox(db: Kysely<DB>, companyId: number, possibleOptOut: boolean): Promise<number> {
  let query = db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId);
  if (possibleOptOut) query = query.where('possible_opt_outs', '>', 0);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export async function findMessagesByIds(db: Kysely<DB>, companyId: number, ids: number[]): Promise<MessageRow[]> {
  if (!ids.length) return [];
  return (await db.selectFrom('messages').select(MESSAGE_COLUMNS).where('company_id', '=', companyId).where('id', 'in', ids).execute()) as MessageRow[];
}

/**
 * An inbound text that changes nothing but its conversation, from a number that may already be a profile's: a plain
 * text (`when: 'always'`), a STOP from a profile already opted out by its own STOP (`'stopped'`: no second
 * confirmation, nothing firmer), or a keyword from a profile opted out for any reason or that already has a subscription
 * to the keyword's campaign, in any status (`'keyword'`: subscribe does nothing for it, and sends nothing). When the
 * profile's state is not what `when` says, nothing is written.
 */
export interface InertInbound {
  phone: string;
  body: string;
  gateway: string;
  gatewayMessageId: string;
  possibleOptOut: boolean;
  intent: 'other' | 'stop' | 'keyword';
  campaignId: number | null;
  when: 'always' | 'stopped' | 'keyword';
  at: string;
}

/**
 * recorded: the message and its conversation are written. no_profile: the number is nobody's yet; not_inert: the
 * profile's state is not what `when` needs; duplicate: the gateway id is recorded already; busy: this connection is
 * inside another transaction. All but the first leave the message to the general path (Messaging.handleInbound).
 */
export type InertInboundOutcome = { outcome: 'recorded'; message: MessageRow } | { outcome: 'no_profile' | 'not_inert' | 'duplicate' | 'busy' };

const RETURNED = MESSAGE_COLUMNS.map((c) => `"${c}"`).join(', ');

// Inserted in conversations as touchConversation does, under the profile's lock (every message is written under it).
const CONVERSATION_UPSERT = `ON CONFLICT (company_id, profile_id) DO UPDATE SET last_message_id = excluded.last_message_id,
  possible_opt_outs = conversations.possible_opt_outs + excluded.possible_opt_outs, updated_at = excluded.updated_at`;

const STOPPED = 'Texted a STOP word';

/**
 * Whether a profile's state lets the text be recorded as inert (the same test in SQL for PostgreSQL): its opt-out, and
 * for a keyword whether it has a subscription to the keyword's campaign (`subscribed`).
 */
function inertFor(when: InertInbound['when'], profile: { opted_out_at: string | null; opted_out_source: string | null; subscribed: boolean }): boolean {
  return when === 'always' || (when === 'stopped' ? profile.opted_out_source === STOPPED : profile.opted_out_at !== null || profile.subscribed);
}

// Whether the locked profile `p` has a subscription to this campaign, in SQL (subscriptions are written under its lock).
const subscribedTest = (campaignId: string) => `EXISTS (SELECT 1 FROM subscriptions s WHERE s.company_id = p.company_id AND s.profile_id = p.id AND s.campaign_id = ${campaignId})`;

// The same test as inertFor, in SQL, on `when`, the keyword's campaign and the locked profile `p`.
const inertTest = (when: string, campaignId: string) =>
  `(${when} = 'always' OR (${when} = 'stopped' AND p.opted_out_source = '${STOPPED}') OR (${when} = 'keyword' AND (p.opted_out_at IS NOT NULL OR ${subscribedTest(campaignId)})))`;

// What a PostgreSQL statement answers for each text: the profile found for its number, and the message if it was inserted.
type InertFound = MessageRow & { found_profile_id: number | null; found_opted_out_at: string | null; found_opted_out_source: string | null; found_subscribed: boolean | null };

// PostgreSQL: the profile's lock, the message and the conversation in one statement, so one round trip and its own
// (implicit) transaction. A named statement: each pooled connection parses it once. It records a text that arrived
// alone, or one whose batch failed (recordPostgresBatch).
const INERT_INBOUND_POSTGRES = {
  name: 'roster_inert_inbound_v2',
  text: `WITH p AS (SELECT company_id, id, opted_out_at, opted_out_source FROM profiles WHERE company_id = $1 AND phone_number = $2 FOR UPDATE),
m AS (
  INSERT INTO messages (company_id, profile_id, direction, body, status, gateway, gateway_message_id, possible_opt_out, intent, campaign_id, created_at, updated_at)
  SELECT $1, p.id, 'inbound', $3, 'received', $4, $5, $6, $7, $8, $9, $9 FROM p
  WHERE ${inertTest('$10', '$8')}
  ON CONFLICT (company_id, gateway, gateway_message_id) DO NOTHING
  RETURNING ${RETURNED}
),
c AS (
  INSERT INTO conversations (company_id, profile_id, last_message_id, possible_opt_outs, updated_at)
  SELECT $1, profile_id, id, possible_opt_out, created_at FROM m
  ${CONVERSATION_UPSERT}
)
SELECT p.id AS found_profile_id, p.opted_out_at AS found_opted_out_at, p.opted_out_source AS found_opted_out_source,
  CASE WHEN p.id IS NOT NULL AND $10 = 'keyword' THEN ${subscribedTest('$8')} END AS found_subscribed, m.*
FROM (SELECT 1) AS one LEFT JOIN p ON true LEFT JOIN m ON true`,
};

/**
 * PostgreSQL, many texts in one statement and so one commit (recordPostgresBatch). The texts come as one JSON array
 * of rows (inertBatchJson), not as one array per column unnested (bulkRows): the planner counts an array parameter's
 * elements, so a batch of two or three texts looked cheaper planned for itself, and the named statement was planned
 * anew every time (about a millisecond of the database's time, more than running it); a JSON document's rows it
 * cannot count, so every batch runs the one cached generic plan.
 *
 * The profiles are locked in id order, and all of them before any message is written (the sorts below need every
 * row), so two batches under way at once cannot each hold a profile the other waits for. Of the texts with one
 * gateway id only the first whose profile's state fits is tried, so each inserted row belongs to one text; a later one
 * is a duplicate of it, as a second delivery is. The messages go in in the texts' order (their ids follow it); a
 * profile's conversation is moved once, to its newest message, counting every possible opt-out, as ON CONFLICT DO
 * UPDATE may touch a row once per statement. One row per text comes back, in the texts' order; its message is found
 * by the text's own columns, a hash join (joined through `tried`, which the planner guesses holds one row, it
 * rescanned every message for every text).
 */
const INERT_BATCH_POSTGRES = {
  name: 'roster_inert_inbound_batch_v3',
  text: `WITH texts AS (
  SELECT * FROM ROWS FROM (json_to_recordset($1::json) AS (company_id bigint, phone text, body text, gateway text, gateway_message_id text,
    possible_opt_out integer, intent text, campaign_id bigint, at timestamptz, inert_when text))
    WITH ORDINALITY AS t(company_id, phone, body, gateway, gateway_message_id, possible_opt_out, intent, campaign_id, at, inert_when, n)
),
p AS (
  SELECT company_id, id, phone_number, opted_out_at, opted_out_source FROM profiles
  WHERE (company_id, phone_number) IN (SELECT company_id, phone FROM texts)
  ORDER BY id FOR UPDATE
),
tried AS (
  SELECT DISTINCT ON (t.company_id, t.gateway, t.gateway_message_id) t.*, p.id AS profile_id
  FROM texts t JOIN p ON p.company_id = t.company_id AND p.phone_number = t.phone
  WHERE ${inertTest('t.inert_when', 't.campaign_id')}
  ORDER BY t.company_id, t.gateway, t.gateway_message_id, t.n
),
m AS (
  INSERT INTO messages (company_id, profile_id, direction, body, status, gateway, gateway_message_id, possible_opt_out, intent, campaign_id, created_at, updated_at)
  SELECT company_id, profile_id, 'inbound', body, 'received', gateway, gateway_message_id, possible_opt_out, intent, campaign_id, at, at FROM tried
  ORDER BY n
  ON CONFLICT (company_id, gateway, gateway_message_id) DO NOTHING
  RETURNING company_id, ${RETURNED}
),
c AS (
  INSERT INTO conversations (company_id, profile_id, last_message_id, possible_opt_outs, updated_at)
  SELECT company_id, profile_id, max(id), sum(possible_opt_out)::integer, max(created_at) FROM m GROUP BY company_id, profile_id
  ${CONVERSATION_UPSERT}
)
SELECT p.id AS found_profile_id, p.opted_out_at AS found_opted_out_at, p.opted_out_source AS found_opted_out_source,
  CASE WHEN p.id IS NOT NULL AND t.inert_when = 'keyword' THEN ${subscribedTest('t.campaign_id')} END AS found_subscribed,
  ${MESSAGE_COLUMNS.map((c) => `m."${c}"`).join(', ')}
FROM texts t
LEFT JOIN p ON p.company_id = t.company_id AND p.phone_number = t.phone
LEFT JOIN tried ON tried.n = t.n
LEFT JOIN m ON m.company_id = t.company_id AND m.gateway = t.gateway AND m.gateway_message_id = t.gateway_message_id AND tried.n IS NOT NULL
ORDER BY t.n`,
};

interface PendingInert {
  companyId: number;
  message: InertInbound;
  resolve: (outcome: InertInboundOutcome) => void;
  reject: (error: unknown) => void;
}

interface SqliteInert {
  /** Records in one transaction (one commit) every text queued by the time it runs. */
  queue: PendingInert[];
  flush: () => void;
}
const sqliteInerts = new WeakMap<SQLite.Database, SqliteInert>();

/**
 * SQLite: a commit writes every page the transaction changed to the WAL, a few hundred microseconds that were most of a
 * plain text's cost (bench/inbound.ts). Texts arriving together are recorded in one IMMEDIATE transaction (group
 * commit; if one fails, a transaction each, so that it fails alone), and each webhook answers only after the commit
 * that holds its text. Nothing waits for a batch to fill: whatever is queued by the next turn of the event loop
 * goes in.
 */
function sqliteInert(raw: SQLite.Database): SqliteInert {
  const kept = sqliteInerts.get(raw);
  if (kept) return kept;
  const profile = raw.prepare<[number, string], { id: number; opted_out_at: string | null; opted_out_source: string | null }>(
    'SELECT id, opted_out_at, opted_out_source FROM profiles WHERE company_id = ? AND phone_number = ?');
  const insert = raw.prepare<unknown[], MessageRow>(`INSERT INTO messages (company_id, profile_id, direction, body, status, gateway, gateway_message_id, possible_opt_out, intent, campaign_id, created_at, updated_at)
    VALUES (?, ?, 'inbound', ?, 'received', ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (company_id, gateway, gateway_message_id) DO NOTHING RETURNING ${RETURNED}`);
  const subscribed = raw.prepare<[number, number, number | null], unknown>('SELECT 1 FROM subscriptions WHERE company_id = ? AND profile_id = ? AND campaign_id = ?').pluck();
  const conversation = raw.prepare(`INSERT INTO conversations (company_id, profile_id, last_message_id, possible_opt_outs, updated_at) VALUES (?, ?, ?, ?, ?) ${CONVERSATION_UPSERT}`);
  const record = (companyId: number, m: InertInbound): InertInboundOutcome => {
    const found = profile.get(companyId, m.phone);
    if (!found) return { outcome: 'no_profile' };
    const keywordOf = m.when === 'keyword' && found.opted_out_at === null;
    if (!inertFor(m.when, { ...found, subscribed: keywordOf && subscribed.get(companyId, found.id, m.campaignId) !== undefined })) return { outcome: 'not_inert' };
    const flag = m.possibleOptOut ? 1 : 0;
    const message = insert.get(companyId, found.id, m.body, m.gateway, m.gatewayMessageId, flag, m.intent, m.campaignId, m.at, m.at);
    if (!message) return { outcome: 'duplicate' };
    conversation.run(companyId, found.id, message.id, flag, m.at);
    return { outcome: 'recorded', message };
  };
  // IMMEDIATE: the write lock first, as a read that is followed by a write must not meet another process's write.
  // No savepoint per text (two more statements each): a text that fails rolls the batch back, and the batch is
  // then recorded a text at a time, so that one fails alone.
  const batch = raw.transaction((pending: PendingInert[]) => pending.map((p) => record(p.companyId, p.message))).immediate;
  const alone = raw.transaction(record).immediate;
  // A statement of this connection is still being read (a cursor), or another process held the write lock too long.
  const isBusy = (error: unknown) => (error instanceof TypeError && /busy/i.test(error.message)) || (error as { code?: string }).code === 'SQLITE_BUSY';
  const settled = (run: () => InertInboundOutcome): { outcome: InertInboundOutcome } | { error: unknown } => {
    try {
      return { outcome: run() };
    } catch (error) {
      return isBusy(error) ? { outcome: { outcome: 'busy' } } : { error };
    }
  };
  const state: SqliteInert = {
    queue: [],
    flush: () => {
      const pending = state.queue;
      state.queue = [];
      let results: Array<{ outcome: InertInboundOutcome } | { error: unknown }>;
      // Kysely's transaction on this one connection is open (awaiting its next statement): leave these to the general path.
      if (raw.inTransaction) results = pending.map(() => ({ outcome: { outcome: 'busy' } }));
      else {
        try {
          results = batch(pending).map((outcome) => ({ outcome }));
        } catch (error) {
          results = isBusy(error) ? pending.map(() => ({ outcome: { outcome: 'busy' } })) : pending.map((p) => settled(() => alone(p.companyId, p.message)));
        }
      }
      pending.forEach((p, i) => {
        const result = results[i]!;
        if ('error' in result) p.reject(result.error);
        else p.resolve(result.outcome);
      });
    },
  };
  sqliteInerts.set(raw, state);
  return state;
}

type PgPool = NonNullable<Database['pgPool']>;

// At most this many texts in one statement (its JSON, its locks), and this many statements under way at once: one
// batch records while the next fills. One, two and four in flight gave the same throughput (bench/inbound.ts); more
// would only hold more of the pool's connections, which the general path needs.
export const INERT_BATCH_TEXTS = 200;
const INERT_BATCHES_IN_FLIGHT = 2;

interface PostgresInert {
  queue: PendingInert[];
  inFlight: number;
  /** A turn of the event loop will send what is queued by then. */
  scheduled: boolean;
}
const postgresInerts = new WeakMap<PgPool, PostgresInert>();

/** Tests: shown the texts of each PostgreSQL batch as it is sent, and the error of a batch statement that failed. */
export const inertBatchWatch: { sent?: (texts: readonly InertInbound[]) => void; failed?: (error: unknown) => void } = {};

/**
 * PostgreSQL: a statement and a commit (a WAL flush) per text cost the database about 0.4 ms of CPU per inert text,
 * and the server a round trip each (bench/inbound.ts). Texts queued together go in one statement
 * (INERT_BATCH_POSTGRES), so one commit: the database's time per text less than halves, the server's falls by a
 * third. As on SQLite nothing waits for a batch to fill: what is queued by the next turn of the event loop goes,
 * while fewer than INERT_BATCHES_IN_FLIGHT batches are under way; the rest waits for one of them to end.
 */
function queuePostgresInert(pool: PgPool, pending: PendingInert): void {
  let inert = postgresInerts.get(pool);
  if (!inert) postgresInerts.set(pool, (inert = { queue: [], inFlight: 0, scheduled: false }));
  inert.queue.push(pending);
  schedulePostgresBatches(pool, inert);
}

function schedulePostgresBatches(pool: PgPool, inert: PostgresInert): void {
  if (inert.scheduled || inert.queue.length === 0 || inert.inFlight >= INERT_BATCHES_IN_FLIGHT) return;
  inert.scheduled = true;
  setImmediate(() => {
    inert.scheduled = false;
    while (inert.queue.length && inert.inFlight < INERT_BATCHES_IN_FLIGHT) {
      const batch = inert.queue.splice(0, INERT_BATCH_TEXTS);
      inert.inFlight++;
      // Nothing is left unanswered, whatever goes wrong (a text already answered ignores the rejection).
      void recordPostgresBatch(pool, batch).catch((error: unknown) => batch.forEach((p) => p.reject(error))).finally(() => {
        inert.inFlight--;
        schedulePostgresBatches(pool, inert);
      });
    }
  });
}

/**
 * Records a batch and answers each text after its commit. A text alone takes the single statement, which costs the
 * database less than the batch's. A failed batch wrote nothing (it is its own transaction): a deadlock with the general
 * path, or one text the database refuses, must not fail the others, so each is then recorded alone and fails alone.
 */
async function recordPostgresBatch(pool: PgPool, batch: PendingInert[]): Promise<void> {
  inertBatchWatch.sent?.(batch.map((p) => p.message));
  if (batch.length === 1) {
    const [one] = batch as [PendingInert];
    return recordPostgresInertAlone(pool, one.companyId, one.message).then(one.resolve, one.reject);
  }
  let found: InertFound[];
  try {
    found = (await pool.query<InertFound>({ ...INERT_BATCH_POSTGRES, values: [inertBatchJson(batch)] })).rows;
  } catch (error) {
    inertBatchWatch.failed?.(error);
    await Promise.all(batch.map((p) => recordPostgresInertAlone(pool, p.companyId, p.message).then(p.resolve, p.reject)));
    return;
  }
  batch.forEach((p, i) => p.resolve(inertOutcome(p.message, found[i]!)));
}

// INERT_BATCH_POSTGRES's one parameter: a row per text, named as the statement's column list names them.
function inertBatchJson(batch: PendingInert[]): string {
  return JSON.stringify(batch.map(({ companyId, message: m }) => ({
    company_id: companyId, phone: m.phone, body: m.body, gateway: m.gateway, gateway_message_id: m.gatewayMessageId,
    possible_opt_out: m.possibleOptOut ? 1 : 0, intent: m.intent, campaign_id: m.campaignId, at: m.at, inert_when: m.when,
  })));
}

async function recordPostgresInertAlone(pool: PgPool, companyId: number, message: InertInbound): Promise<InertInboundOutcome> {
  const { rows } = await pool.query<InertFound>({
    ...INERT_INBOUND_POSTGRES,
    values: [companyId, message.phone, message.body, message.gateway, message.gatewayMessageId, message.possibleOptOut ? 1 : 0, message.intent, message.campaignId, message.at, message.when],
  });
  return inertOutcome(message, rows[0]!);
}

// A PostgreSQL statement's row for one text, as the outcome InertInboundOutcome names.
function inertOutcome(message: InertInbound, row: InertFound): InertInboundOutcome {
  const { found_profile_id: profileId, found_opted_out_at: optedOutAt, found_opted_out_source: optedOutSource, found_subscribed: subscribed, ...stored } = row;
  if (profileId === null) return { outcome: 'no_profile' };
  if (!inertFor(message.when, { opted_out_at: optedOutAt, opted_out_source: optedOutSource, subscribed: subscribed === true })) return { outcome: 'not_inert' };
  if (stored.id === null) return { outcome: 'duplicate' };
  return { outcome: 'recorded', message: stored };
}

/**
 * Records an inbound text that changes nothing but its conversation (InertInbound) in one short transaction, with the
 * texts that arrive with it (group commit): most inbound texts are these (bench/inbound.ts), and the general path's
 * Kysely transaction costs several round trips (PostgreSQL) or several times the work (SQLite) for them.
 */
export async function recordInertInbound(database: Database, companyId: number, message: InertInbound): Promise<InertInboundOutcome> {
  return new Promise((resolve, reject) => {
    const pending = { companyId, message, resolve, reject };
    if (database.engine === 'postgres') return queuePostgresInert(database.pgPool!, pending);
    const inert = sqliteInert(database.sqlite!);
    if (inert.queue.push(pending) === 1) setImmediate(inert.flush);
  });
}
