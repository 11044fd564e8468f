import type { Kysely } from 'kysely';
import { bulkIn } from '../../db/bulk.js';
import type { DbScope } from '../../db/scope.js';
import type { DB } from '../../db/schema.js';
import { chunks } from '../profiles/profiles.repository.js';

const BLACKLIST_COLUMNS = ['id', 'phone_number', 'note', 'created_by', 'created_at'] as const;
export interface BlacklistRow {
  id: number;
  phone_number: string;
  note: string | null;
  created_by: string;
  created_at: string;
}

/** The numbers among these (E.164) that are on the company's blacklist. */
export async function blacklistedAmong(scope: DbScope, companyId: number, phoneNumbers: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  // An upload asks about thousands of numbers at once: one parameter per few thousand (bulkIn), not one per number.
  for (const part of chunks([...new Set(phoneNumbers)], 2000)) {
    for (const row of await scope.db.selectFrom('blacklisted_numbers').select('phone_number').where('company_id', '=', companyId).where(bulkIn(scope.engine, 'phone_number', 'text', part)).execute()) found.add(row.phone_number);
  }
  return found;
}

export function findBlacklisted(db: Kysely<DB>, companyId: number, id: number) {
  return db.selectFrom('blacklisted_numbers').select(BLACKLIST_COLUMNS).where('company_id', '=', companyId).where('id', '=', id).executeTakeFirst() as Promise<BlacklistRow | undefined>;
}

export function findBlacklistedNumber(db: Kysely<DB>, companyId: number, phoneNumber: string) {
  return db.selectFrom('blacklisted_numbers').select(BLACKLIST_COLUMNS).where('company_id', '=', companyId).where('phone_number', '=', phoneNumber).executeTakeFirst() as Promise<BlacklistRow | undefined>;
}

/** Adds a number unless it is there already; answers the new row, or undefined. */
export function insertBlacklisted(db: Kysely<DB>, companyId: number, values: Omit<BlacklistRow, 'id'>) {
  return db
    .insertInto('blacklisted_numbers')
    .values({ company_id: companyId, ...values })
    .onConflict((oc) => oc.columns(['company_id', 'phone_number']).doNothing())
    .returning(BLACKLIST_COLUMNS)
    .executeTakeFirst() as Promise<BlacklistRow | undefined>;
}

export function deleteBlacklisted(db: Kysely<DB>, companyId: number, id: number) {
  return db.deleteFrom('blacklisted_numbers').where('company_id', '=', companyId).where('id', '=', id).execute();
}

/** One page of the blacklist, newest first. */
export function pageOfBlacklist(db: Kysely<DB>, companyId: number, limit: number, offset: number) {
  return db.selectFrom('blacklisted_numbers').select(BLACKLIST_COLUMNS).where('company_id', '=', companyId).orderBy('id', 'desc').limit(limit).offset(offset).execute() as Promise<BlacklistRow[]>;
}

export async function countBlacklist(db: Kysely<DB>, companyId: number): Promise<number> {
  const row = await db.selectFrom('blacklisted_numbers').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
  return Number(row.n);
}
