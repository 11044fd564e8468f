import type { Kysely } from 'kysely';
import { sha256 } from '../../crypto.js';
import { prepared } from '../../db/prepared.js';
import { type DbScope, forUpdate } from '../../db/scope.js';
import type { DB, ProfilesTable } from '../../db/schema.js';

/** The profile read model: every §2 column (no selectAll on API paths). */
export const PROFILE_COLUMNS = [
  'id', 'phone_number', 'raw_phone', 'email', 'first_name', 'last_name', 'street1', 'street2', 'city', 'state', 'postal_code', 'country',
  'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district', 'latitude', 'longitude', 'precision',
  'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country', 'carrier_name', 'created_at', 'source_type',
  'source_name', 'opted_out_at', 'opted_out_source', 'status', 'updated_at',
] as const;

export type ProfileRow = Pick<ProfilesTable, (typeof PROFILE_COLUMNS)[number]> & { id: number };
export type NewProfileRow = Omit<ProfilesTable, 'id' | 'company_id' | 'status_filter'> & { status_filter?: string };
export type ProfileUpdate = Partial<Omit<ProfilesTable, 'id' | 'company_id' | 'created_at' | 'source_type' | 'source_name' | 'status_filter'> & { status_filter: string }>;

// Statements stay under SQLite's 32,766 bound-parameter limit and PostgreSQL's 65,535.
const CHUNK = 500;
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function findProfile(db: Kysely<DB>, companyId: number, profileId: number) {
  return db.selectFrom('profiles').select(PROFILE_COLUMNS).where('company_id', '=', companyId).where('id', '=', profileId).executeTakeFirst() as Promise<ProfileRow | undefined>;
}

export function findProfileByPhone(db: Kysely<DB>, companyId: number, phoneNumber: string) {
  return db.selectFrom('profiles').select(PROFILE_COLUMNS).where('company_id', '=', companyId).where('phone_number', '=', phoneNumber).executeTakeFirst() as Promise<ProfileRow | undefined>;
}

/** The id of the profile that has this number, if any (the inbound path's lookup: nothing else is needed). */
export async function findProfileIdByPhone(db: Kysely<DB>, companyId: number, phoneNumber: string): Promise<number | undefined> {
  return (await db.selectFrom('profiles').select('id').where('company_id', '=', companyId).where('phone_number', '=', phoneNumber).executeTakeFirst())?.id;
}

export async function findProfilesByPhones(db: Kysely<DB>, companyId: number, phoneNumbers: string[]): Promise<ProfileRow[]> {
  const rows: ProfileRow[] = [];
  for (const part of chunks(phoneNumbers)) {
    rows.push(...((await db.selectFrom('profiles').select(PROFILE_COLUMNS).where('company_id', '=', companyId).where('phone_number', 'in', part).execute()) as ProfileRow[]));
  }
  return rows;
}

/** Inserts new profiles and answers their ids keyed by phone number. */
export async function insertProfiles(db: Kysely<DB>, companyId: number, rows: NewProfileRow[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(rows, 400)) {
    const inserted = await db
      .insertInto('profiles')
      .values(part.map((row) => ({ company_id: companyId, ...row })))
      .returning(['id', 'phone_number'])
      .execute();
    for (const r of inserted) ids.set(r.phone_number!, r.id);
  }
  return ids;
}

export function updateProfile(db: Kysely<DB>, companyId: number, profileId: number, values: ProfileUpdate) {
  return db.updateTable('profiles').set(values).where('company_id', '=', companyId).where('id', '=', profileId).execute();
}

export function deleteProfileRow(db: Kysely<DB>, companyId: number, profileId: number) {
  return db.deleteFrom('profiles').where('company_id', '=', companyId).where('id', '=', profileId).execute();
}

export interface StoredValueRow {
  profile_id: number;
  field_id: number;
  value_text: string;
  value_number: number | null;
}

export async function findFieldValues(db: Kysely<DB>, companyId: number, profileIds: number[]): Promise<StoredValueRow[]> {
  const rows: StoredValueRow[] = [];
  for (const part of chunks(profileIds)) {
    rows.push(...(await db.selectFrom('profile_field_values').select(['profile_id', 'field_id', 'value_text', 'value_number']).where('company_id', '=', companyId).where('profile_id', 'in', part).execute()));
  }
  return rows;
}

export async function upsertFieldValues(db: Kysely<DB>, companyId: number, rows: StoredValueRow[]): Promise<void> {
  for (const part of chunks(rows, 1000)) {
    await db
      .insertInto('profile_field_values')
      .values(part.map((r) => ({ company_id: companyId, ...r })))
      .onConflict((oc) => oc.columns(['company_id', 'profile_id', 'field_id']).doUpdateSet((eb) => ({ value_text: eb.ref('excluded.value_text'), value_number: eb.ref('excluded.value_number') })))
      .execute();
  }
}

export async function deleteFieldValues(db: Kysely<DB>, companyId: number, pairs: Array<{ profile_id: number; field_id: number }>): Promise<void> {
  for (const { profile_id, field_id } of pairs) {
    await db.deleteFrom('profile_field_values').where('company_id', '=', companyId).where('profile_id', '=', profile_id).where('field_id', '=', field_id).execute();
  }
}

export function deleteAllFieldValues(db: Kysely<DB>, companyId: number, profileId: number) {
  return db.deleteFrom('profile_field_values').where('company_id', '=', companyId).where('profile_id', '=', profileId).execute();
}

export async function findTombstones(db: Kysely<DB>, companyId: number, hashes: string[]) {
  const rows: Array<{ phone_hash: string; opted_out_at: string | null; opted_out_source: string | null }> = [];
  for (const part of chunks(hashes)) {
    rows.push(...(await db.selectFrom('profile_tombstones').select(['phone_hash', 'opted_out_at', 'opted_out_source']).where('company_id', '=', companyId).where('phone_hash', 'in', part).execute()));
  }
  return rows;
}

export function upsertTombstone(db: Kysely<DB>, companyId: number, values: { phone_hash: string; opted_out_at: string | null; opted_out_source: string | null; deleted_at: string }) {
  return db
    .insertInto('profile_tombstones')
    .values({ company_id: companyId, ...values })
    .onConflict((oc) =>
      oc.columns(['company_id', 'phone_hash']).doUpdateSet((eb) => ({
        // An opt-out once recorded survives a later deletion without one.
        opted_out_at: eb.fn.coalesce(eb.ref('excluded.opted_out_at'), eb.ref('profile_tombstones.opted_out_at')),
        opted_out_source: eb.fn.coalesce(eb.ref('excluded.opted_out_source'), eb.ref('profile_tombstones.opted_out_source')),
        deleted_at: eb.ref('excluded.deleted_at'),
      })),
    )
    .execute();
}

/** Audit entries about one profile, for erasing personal data from them on deletion. */
export function findProfileAudit(db: Kysely<DB>, companyId: number, profileId: number) {
  return db.selectFrom('audit_log').select(['id', 'changes']).where('company_id', '=', companyId).where('entity_type', '=', 'profile').where('entity_id', '=', String(profileId)).execute();
}

export function setAuditChanges(db: Kysely<DB>, companyId: number, auditId: number, changes: string) {
  return db.updateTable('audit_log').set({ changes }).where('company_id', '=', companyId).where('id', '=', auditId).execute();
}

/** Profiles by id (any order; callers order them). */
export async function findProfilesByIds(db: Kysely<DB>, companyId: number, ids: number[]): Promise<ProfileRow[]> {
  if (!ids.length) return [];
  return (await db.selectFrom('profiles').select(PROFILE_COLUMNS).where('company_id', '=', companyId).where('id', 'in', ids).execute()) as ProfileRow[];
}

/** What a profile's derived status is computed from and stored in, for status refreshes and opt-outs. */
export interface ProfileStateRow {
  id: number;
  phone_number: string | null;
  opted_out_at: string | null;
  opted_out_source: string | null;
  status: string;
  status_filter: string;
}

const STATE_COLUMNS = ['id', 'phone_number', 'opted_out_at', 'opted_out_source', 'status', 'status_filter'] as const;

/** Locks profiles (PostgreSQL: FOR UPDATE, in id order so concurrent lockers never deadlock) and reads their state. */
export async function lockProfileStates(scope: DbScope, companyId: number, profileIds: readonly number[]): Promise<ProfileStateRow[]> {
  const ids = [...new Set(profileIds)].sort((a, b) => a - b);
  const rows: ProfileStateRow[] = [];
  for (const part of chunks(ids)) {
    const query = scope.db.selectFrom('profiles').select(STATE_COLUMNS).where('company_id', '=', companyId).where('id', 'in', part).orderBy('id');
    rows.push(...(await forUpdate(scope, query).execute()));
  }
  return rows;
}

/** Locks the profile that has this number, if any, and reads its state. */
export async function lockProfileStateByPhone(scope: DbScope, companyId: number, phoneNumber: string): Promise<ProfileStateRow | undefined> {
  return (await lockByPhoneQuery(scope, companyId, phoneNumber)).rows[0] as ProfileStateRow | undefined;
}

// Prepared: every inbound message runs it (bench/inbound.ts).
const lockByPhoneQuery = prepared((scope: DbScope, companyId: number, phoneNumber: string) =>
  forUpdate(scope, scope.db.selectFrom('profiles').select(STATE_COLUMNS).where('company_id', '=', companyId).where('phone_number', '=', phoneNumber)));

/** Writes the same derived values to many profiles at once. */
export async function setProfileStates(db: Kysely<DB>, companyId: number, profileIds: number[], values: ProfileUpdate): Promise<void> {
  for (const part of chunks(profileIds)) {
    await db.updateTable('profiles').set(values).where('company_id', '=', companyId).where('id', 'in', part).execute();
  }
}

/** The tombstone key: numbers are kept only hashed once a profile is deleted (or opted out with no profile). */
export function tombstoneHash(companyId: number, e164: string): string {
  return sha256(`${companyId}:${e164}`);
}

/** Forgets the opt-out a deleted profile left with this number: the profile that now has it holds the truth. */
export function clearTombstoneOptOut(db: Kysely<DB>, companyId: number, phoneHash: string) {
  return db.updateTable('profile_tombstones').set({ opted_out_at: null, opted_out_source: null }).where('company_id', '=', companyId).where('phone_hash', '=', phoneHash).execute();
}
