import { type Kysely, sql } from 'kysely';
import { sha256 } from '../../crypto.js';
import { type BulkColumns, bulkIn, bulkRows } from '../../db/bulk.js';
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

// Rows per bulk statement (bulkRows): each statement runs without yielding the event loop on SQLite, so a few
// thousand rows (a few hundred milliseconds at most) keep the server answering during an upload.
const BULK_CHUNK = 2000;

export async function findProfilesByPhones(scope: DbScope, companyId: number, phoneNumbers: string[]): Promise<ProfileRow[]> {
  const rows: ProfileRow[] = [];
  for (const part of chunks(phoneNumbers, BULK_CHUNK)) {
    rows.push(...((await scope.db.selectFrom('profiles').select(PROFILE_COLUMNS).where('company_id', '=', companyId).where(bulkIn(scope.engine, 'phone_number', 'text', part)).execute()) as ProfileRow[]));
  }
  return rows;
}

// Every column a new profile is written with (all of NewProfileRow), with its type for bulkRows.
const NEW_PROFILE_COLUMNS = [
  ['phone_number', 'text'], ['raw_phone', 'text'], ['phone_digits', 'text'], ['email', 'text'], ['first_name', 'text'], ['last_name', 'text'],
  ['street1', 'text'], ['street2', 'text'], ['city', 'text'], ['state', 'text'], ['postal_code', 'text'], ['country', 'text'],
  ['congressional_district', 'text'], ['state_upper_district', 'text'], ['state_lower_district', 'text'], ['split_district', 'integer'],
  ['latitude', 'double precision'], ['longitude', 'double precision'], ['precision', 'text'], ['geocoded_city', 'text'], ['geocoded_state', 'text'],
  ['geocoded_postal_code', 'text'], ['geocoded_country', 'text'], ['carrier_name', 'text'], ['created_at', 'timestamptz'], ['source_type', 'text'],
  ['source_name', 'text'], ['opted_out_at', 'timestamptz'], ['opted_out_source', 'text'], ['status', 'text'], ['status_filter', 'text'], ['updated_at', 'timestamptz'],
] as const satisfies BulkColumns;
type NewProfileColumn = (typeof NEW_PROFILE_COLUMNS)[number][0];
// A column added to profiles (and so to NewProfileRow) but not to the list above fails to compile here.
const _allNewProfileColumns: Record<Exclude<keyof NewProfileRow, NewProfileColumn>, never> = {};
void _allNewProfileColumns;

/** Inserts new profiles, a few thousand per statement, and answers their ids keyed by phone number. */
export async function insertProfiles(scope: DbScope, companyId: number, rows: NewProfileRow[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const names = sql.join(NEW_PROFILE_COLUMNS.map(([name]) => sql.ref(name)));
  for (const part of chunks(rows, BULK_CHUNK)) {
    // status_filter: the column's default when a caller leaves it out.
    const values = part.map((row) => NEW_PROFILE_COLUMNS.map(([name]) => (name === 'status_filter' ? (row.status_filter ?? 'none') : row[name])));
    const inserted = await sql<{ id: number | string; phone_number: string }>`INSERT INTO profiles (company_id, ${names})
      SELECT ${companyId}, ${names} FROM ${bulkRows(scope.engine, 'r', NEW_PROFILE_COLUMNS, values)}
      RETURNING id, phone_number`.execute(scope.db);
    for (const r of inserted.rows) ids.set(r.phone_number, Number(r.id));
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

export async function findFieldValues(scope: DbScope, companyId: number, profileIds: number[]): Promise<StoredValueRow[]> {
  const rows: StoredValueRow[] = [];
  for (const part of chunks(profileIds, BULK_CHUNK)) {
    rows.push(...(await scope.db.selectFrom('profile_field_values').select(['profile_id', 'field_id', 'value_text', 'value_number']).where('company_id', '=', companyId).where(bulkIn(scope.engine, 'profile_id', 'bigint', part)).execute()));
  }
  return rows;
}

const FIELD_VALUE_COLUMNS = [['profile_id', 'bigint'], ['field_id', 'bigint'], ['value_text', 'text'], ['value_number', 'double precision']] as const satisfies BulkColumns;

export async function upsertFieldValues(scope: DbScope, companyId: number, rows: StoredValueRow[]): Promise<void> {
  for (const part of chunks(rows, BULK_CHUNK)) {
    const values = part.map((r) => [r.profile_id, r.field_id, r.value_text, r.value_number]);
    // `WHERE true`: SQLite cannot otherwise tell the upsert's ON from a join's (sqlite.org/lang_upsert.html, parsing ambiguity).
    await sql`INSERT INTO profile_field_values (company_id, profile_id, field_id, value_text, value_number)
      SELECT ${companyId}, profile_id, field_id, value_text, value_number FROM ${bulkRows(scope.engine, 'v', FIELD_VALUE_COLUMNS, values)} WHERE true
      ON CONFLICT (company_id, profile_id, field_id) DO UPDATE SET value_text = excluded.value_text, value_number = excluded.value_number`.execute(scope.db);
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

export async function findTombstones(scope: DbScope, companyId: number, hashes: string[]) {
  const rows: Array<{ phone_hash: string; opted_out_at: string | null; opted_out_source: string | null }> = [];
  for (const part of chunks(hashes, BULK_CHUNK)) {
    rows.push(...(await scope.db.selectFrom('profile_tombstones').select(['phone_hash', 'opted_out_at', 'opted_out_source']).where('company_id', '=', companyId).where(bulkIn(scope.engine, 'phone_hash', 'text', part)).execute()));
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

export const PROFILE_STATE_COLUMNS = ['id', 'phone_number', 'opted_out_at', 'opted_out_source', 'status', 'status_filter'] as const;

/** Locks profiles (PostgreSQL: FOR UPDATE, in id order so concurrent lockers never deadlock) and reads their state. */
export async function lockProfileStates(scope: DbScope, companyId: number, profileIds: readonly number[]): Promise<ProfileStateRow[]> {
  const ids = [...new Set(profileIds)].sort((a, b) => a - b);
  const rows: ProfileStateRow[] = [];
  for (const part of chunks(ids)) {
    const query = scope.db.selectFrom('profiles').select(PROFILE_STATE_COLUMNS).where('company_id', '=', companyId).where('id', 'in', part).orderBy('id');
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
  forUpdate(scope, scope.db.selectFrom('profiles').select(PROFILE_STATE_COLUMNS).where('company_id', '=', companyId).where('phone_number', '=', phoneNumber)));

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
