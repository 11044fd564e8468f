import type { Kysely } from 'kysely';
import type { DB, MessagesTable } from '../../db/schema.js';
import { prepared } from '../../db/prepared.js';
import type { DbScope } from '../../db/scope.js';

/** The message read model (no selectAll on API paths). */
export const MESSAGE_COLUMNS = [
  'id', 'profile_id', 'direction', 'body', 'status', 'gateway', 'gateway_message_id', 'error_code', 'error_message', 'attempts',
  'carrier_name', 'possible_opt_out', 'intent', 'campaign_id', 'created_at', 'updated_at',
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
}

export type NewMessage = Omit<MessagesTable, 'company_id' | 'id' | 'attempts' | 'possible_opt_out'> & { possible_opt_out?: number; attempts?: number };
export type MessageUpdate = Partial<Pick<MessagesTable, 'status' | 'gateway_message_id' | 'error_code' | 'error_message' | 'carrier_name' | 'updated_at'> & { attempts: number; possible_opt_out: number }>;

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

/**
 * Outbound messages of one gateway still queued since before `before`, oldest first, of every company: the dispatcher's
 * fallback sweep (Messaging.sweepQueued), a system task like the job queue's claim, hands each off under its own company.
 */
export function staleQueuedOutbound(db: Kysely<DB>, gateway: string, before: string, limit: number) {
  return db
    .selectFrom('messages')
    .select(['company_id', 'id'])
    .where('status', '=', 'queued')
    .where('updated_at', '<', before)
    .where('gateway', '=', gateway)
    .where('direction', '=', 'outbound')
    .orderBy('updated_at')
    .limit(limit)
    .execute();
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
