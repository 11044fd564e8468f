import type { Database } from '../../db/database.js';
import { type DbScope, isTransientConflict } from '../../db/scope.js';
import { AppError, type FieldProblem, invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import { type Actor, type FieldChanges, recordAudit } from '../audit/audit.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { deleteSubscriptionsOfProfile, refreshProfileStatus, type SubscriptionView, subscriptionsByProfile } from '../campaigns/subscriptions.service.js';
import { customFieldContext, fieldNameKey } from '../custom-fields/custom-fields.service.js';
import { applyOptOut, blacklistedNumbers } from '../opt-outs/profile-opt-out.js';
import { type CanonicalValue, fromStored, toStored } from '../custom-fields/field-types.js';
import { type CountryCode, normalisePhone, phoneDigits } from './phone.js';
import { type InputContext, type ProfileInput, type ValidProfileInput, validateProfileInput, WRITABLE_FIELDS } from './profile-input.js';
import { deriveStatus, deriveStatusFilter, describeStatus, mergeOptOut, type OptOut, type SourceType } from './profile-rules.js';
import { shownFieldValues } from './profile-list.repository.js';
import * as repo from './profiles.repository.js';
import { tombstoneHash } from './profiles.repository.js';

/** A profile as the API shows it: every §2 field under its §2 name, custom fields by name, status, description and subscriptions. */
export type ProfileView = Omit<repo.ProfileRow, 'raw_phone' | 'split_district'> & {
  split_district: boolean | null;
  status: string;
  description: string | null;
  custom_fields: Record<string, CanonicalValue>;
  subscriptions: SubscriptionView[];
};

/** How a new profile first reached Roster (its first-seen type and name). */
export interface Origin {
  sourceType: SourceType;
  sourceName: string | null;
  /** When the profile was first seen, for trusted bulk paths (imports, demo data); defaults to now. */
  firstSeenAt?: string;
}

export type UpsertResult =
  | { outcome: 'created' | 'updated' | 'unchanged'; profileId: number }
  | { outcome: 'rejected'; problems: FieldProblem[] };

export { tombstoneHash } from './profiles.repository.js';

async function inputContext(database: Database, companyId: number): Promise<InputContext & { fields: Awaited<ReturnType<typeof customFieldContext>>['fields'] }> {
  const context = await customFieldContext(database, companyId);
  return { defaultCountry: context.defaultCountry as CountryCode, fieldsByKey: context.byKey, genderOptions: context.genderOptions, fieldKey: fieldNameKey, fields: context.fields };
}

function storedToCanonical(fieldsById: Map<number, { field_type: string }>, row: repo.StoredValueRow): CanonicalValue {
  const field = fieldsById.get(row.field_id);
  return field ? fromStored(field.field_type as Parameters<typeof fromStored>[0], row.value_text) : null;
}

/** The opt-out a number brings to whichever profile takes it: a deleted profile's (its tombstone) and the blacklist's, the firmer first. */
async function optOutOfNumbers(scope: DbScope, companyId: number, phones: string[], at: string): Promise<Map<string, OptOut>> {
  const hashes = phones.map((p) => tombstoneHash(companyId, p));
  const tombstones = new Map((await repo.findTombstones(scope, companyId, hashes)).map((t) => [t.phone_hash, t]));
  const blacklisted = await blacklistedNumbers(scope, companyId, phones);
  const out = new Map<string, OptOut>();
  for (const [i, phone] of phones.entries()) {
    const tombstone = tombstones.get(hashes[i]!);
    const carried = mergeOptOut(
      tombstone?.opted_out_at ? { at: tombstone.opted_out_at, reason: tombstone.opted_out_source ?? 'Manual Opt-Out' } : null,
      blacklisted.has(phone) ? { at, reason: 'Blacklisted' } : null,
    );
    if (carried) out.set(phone, carried);
  }
  return out;
}

/** Applies validated changes to an existing profile inside the caller's transaction; answers the audit changes (empty when nothing changed). */
async function applyChanges(
  scope: DbScope,
  companyId: number,
  actor: Actor,
  row: repo.ProfileRow,
  currentValues: repo.StoredValueRow[],
  input: ValidProfileInput,
  at: string,
): Promise<FieldChanges> {
  const trx = scope.db;
  const changes: FieldChanges = {};
  const update: repo.ProfileUpdate = {};
  let phoneMoved = false;
  let carriedOptOut: OptOut | undefined;
  if (input.phone && input.phone !== row.phone_number) {
    phoneMoved = true;
    changes.phone_number = { before: row.phone_number, after: input.phone };
    update.phone_number = input.phone;
    update.phone_digits = phoneDigits(input.phone);
    // A number that opted out and was deleted, or that is blacklisted, is never texted again, whichever profile it moves onto.
    carriedOptOut = (await optOutOfNumbers(scope, companyId, [input.phone], at)).get(input.phone);
    // The opt-out came from the old number too (a STOP, a bounce, a deactivation): keep it with that number.
    if (row.phone_number && row.opted_out_at) {
      await repo.upsertTombstone(trx, companyId, { phone_hash: tombstoneHash(companyId, row.phone_number), opted_out_at: row.opted_out_at, opted_out_source: row.opted_out_source, deleted_at: at });
    }
    if (row.status === 'Invalid Profile Data') update.raw_phone = null;
  }
  for (const field of WRITABLE_FIELDS) {
    const value = input.standard[field];
    if (value === undefined || value === row[field]) continue;
    changes[field] = { before: row[field], after: value };
    update[field] = value;
  }
  const current = new Map(currentValues.map((v) => [v.field_id, v]));
  const upserts: repo.StoredValueRow[] = [];
  const removals: Array<{ profile_id: number; field_id: number }> = [];
  for (const [fieldId, { field, value }] of input.custom) {
    const existing = current.get(fieldId);
    const before = existing ? fromStored(field.field_type, existing.value_text) : null;
    if (before === value) continue;
    changes[`custom_fields.${field.name}`] = { before, after: value };
    if (value === null) removals.push({ profile_id: row.id, field_id: fieldId });
    else {
      const stored = toStored(field.field_type, value);
      upserts.push({ profile_id: row.id, field_id: fieldId, value_text: stored.text, value_number: stored.number });
    }
  }
  if (Object.keys(changes).length === 0) return changes;
  await repo.updateProfile(trx, companyId, row.id, { ...update, updated_at: at });
  if (upserts.length) await repo.upsertFieldValues(scope, companyId, upserts);
  if (removals.length) await repo.deleteFieldValues(trx, companyId, removals);
  if (phoneMoved) {
    // The opt-out engine ends the profile's subscriptions and audits the opt-out; the status follows the new number either way.
    if (carriedOptOut) await applyOptOut(scope, companyId, actor, row.id, carriedOptOut);
    else await refreshProfileStatus(scope, companyId, [row.id], at);
  }
  return changes;
}

/**
 * Creates or updates profiles by phone number in one transaction: the path for the API, uploads, demo data
 * and benchmarks. First-seen data is set only on creation; an opted-out tombstone carries over to a re-created number.
 */
export async function upsertProfiles(
  database: Database,
  companyId: number,
  actor: Actor,
  inputs: readonly ProfileInput[],
  origin: Origin | ((index: number) => Origin),
): Promise<UpsertResult[]> {
  const originOf = typeof origin === 'function' ? origin : () => origin;
  for (let i = 0; i < inputs.length; i++) {
    const firstSeenAt = originOf(i).firstSeenAt;
    if (firstSeenAt !== undefined && Number.isNaN(Date.parse(firstSeenAt))) {
      throw new AppError('invalid_input', `firstSeenAt ${JSON.stringify(firstSeenAt)} of row ${i + 1} is not a date (accepted: ISO 8601)`);
    }
  }
  const context = await inputContext(database, companyId);
  const { results, rounds } = prepareUpsert(inputs, context);
  const run = () =>
    database.db.transaction().execute(async (trx) => {
      for (const round of rounds) await upsertRound({ db: trx, engine: database.engine }, companyId, actor, originOf, round, results);
    });
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return results;
    } catch (error) {
      // Another writer created one of these numbers between our read and our insert; the next pass sees it as existing.
      // Or (PostgreSQL) it lost a deadlock on the shared profile counters to another writer; the next pass goes through.
      if (!(database.isUniqueViolation(error) || isTransientConflict(error)) || attempt >= MAX_UPSERT_ATTEMPTS) throw error;
    }
  }
}

/** What validating a profile input needs of the company (its country, custom fields, gender options); read once per batch. */
export type ProfileInputContext = Awaited<ReturnType<typeof inputContext>>;

/** Reads the company's ProfileInputContext. */
export function profileInputContext(database: Database, companyId: number): Promise<ProfileInputContext> {
  return inputContext(database, companyId);
}

/**
 * upsertProfiles of inputs already checked by validateProfileInput, inside the caller's transaction, without retrying
 * (the caller runs its whole transaction again on a unique violation or deadlock): for uploads, which check each row
 * once while reading the file and commit their own progress and counts with the rows they write. `auditCreated: false`
 * leaves out the per-profile "created" entries (the upload's own entry records them); changes are always audited.
 */
export async function upsertValidProfilesInTransaction(
  scope: DbScope,
  companyId: number,
  actor: Actor,
  values: ReadonlyArray<ValidProfileInput & { phone: string }>,
  origin: Origin,
  options: { auditCreated?: boolean } = {},
): Promise<UpsertResult[]> {
  const results: UpsertResult[] = new Array(values.length);
  for (const round of roundsOf(values.map((value, index) => ({ index, value })))) await upsertRound(scope, companyId, actor, () => origin, round, results, options);
  return results;
}

function prepareUpsert(inputs: readonly ProfileInput[], context: InputContext) {
  const results: UpsertResult[] = new Array(inputs.length);
  const valid: Array<{ index: number; value: ValidProfileInput & { phone: string } }> = [];
  inputs.forEach((input, index) => {
    const checked = validateProfileInput(input, context, { requirePhone: true });
    if (checked.ok) valid.push({ index, value: checked.value as ValidProfileInput & { phone: string } });
    else results[index] = { outcome: 'rejected', problems: checked.problems };
  });
  return { results, rounds: roundsOf(valid) };
}

function roundsOf(valid: Array<{ index: number; value: ValidProfileInput & { phone: string } }>) {
  // A number repeated within one call is applied in order: later rows update what earlier rows created.
  // Round 0 holds every number once, so it takes every lock this call needs; later rounds only revisit them.
  const rounds: Array<typeof valid> = [];
  const roundOf = new Map<string, number>();
  for (const item of valid) {
    const round = (roundOf.get(item.value.phone) ?? -1) + 1;
    roundOf.set(item.value.phone, round);
    (rounds[round] ??= []).push(item);
  }
  // upsertRound locks existing rows, then inserts new ones, each in this order: concurrent batches wait for each other but never deadlock.
  for (const round of rounds) round.sort((x, y) => (x.value.phone < y.value.phone ? -1 : x.value.phone > y.value.phone ? 1 : 0));
  return rounds;
}

/**
 * Creates (or finds, if it already exists) the profile of one E.164 number with nothing else known, inside the caller's
 * transaction: the inbound webhook makes a new number's profile in the same transaction as its first message. A
 * concurrent creator of the same number surfaces as a unique violation; the caller runs its transaction again.
 */
export async function createPhoneProfileIn(scope: DbScope, companyId: number, actor: Actor, phone: string, origin: Origin, options: { absent?: boolean } = {}): Promise<{ profileId: number; created: boolean }> {
  const results: UpsertResult[] = [];
  await upsertRound(scope, companyId, actor, () => origin, [{ index: 0, value: { phone, standard: {}, custom: new Map() } }], results, { absent: options.absent ?? false });
  const result = results[0]!;
  if (result.outcome === 'rejected') throw invalidInput(result.problems);
  return { profileId: result.profileId, created: result.outcome === 'created' };
}

// Each retry sees every number committed before it, so a few passes settle even a crowd of writers.
const MAX_UPSERT_ATTEMPTS = 5;

async function upsertRound(
  scope: DbScope,
  companyId: number,
  actor: Actor,
  originOf: (index: number) => Origin,
  items: Array<{ index: number; value: ValidProfileInput & { phone: string } }>,
  results: UpsertResult[],
  options: { auditCreated?: boolean; absent?: boolean } = {},
): Promise<void> {
  const trx = scope.db;
  const at = nowIso();
  // `absent`: the caller looked for these numbers in this transaction and found none (a profile created meanwhile by
  // another transaction makes the insert fail on the unique number, and the caller runs again).
  const existing = new Map(options.absent ? [] : (await repo.findProfilesByPhones(scope, companyId, items.map((i) => i.value.phone))).map((r) => [r.phone_number!, r]));
  const updates = items.filter((i) => existing.has(i.value.phone));
  const creates = items.filter((i) => !existing.has(i.value.phone));
  const audit: Parameters<typeof recordAudit>[3] = [];

  if (updates.length) {
    const values = await repo.findFieldValues(scope, companyId, updates.map((i) => existing.get(i.value.phone)!.id));
    const byProfile = new Map<number, repo.StoredValueRow[]>();
    for (const v of values) (byProfile.get(v.profile_id) ?? byProfile.set(v.profile_id, []).get(v.profile_id)!).push(v);
    for (const item of updates) {
      const row = existing.get(item.value.phone)!;
      const changes = await applyChanges(scope, companyId, actor, row, byProfile.get(row.id) ?? [], item.value, at);
      const changed = Object.keys(changes).length > 0;
      results[item.index] = { outcome: changed ? 'updated' : 'unchanged', profileId: row.id };
      if (changed) audit.push({ action: 'profile.updated', entityType: 'profile', entityId: row.id, changes });
    }
  }

  if (creates.length) {
    // A number opted out before its profile was deleted, or blacklisted, starts opted out.
    const carried = await optOutOfNumbers(scope, companyId, creates.map((i) => i.value.phone), at);
    const rows: repo.NewProfileRow[] = creates.map(({ index, value }) => {
      const origin = originOf(index);
      const optOut = carried.get(value.phone);
      const optedOutAt = optOut?.at ?? null;
      const given = value.standard;
      // Every column written out, not spread: spreading two objects into a ~30-column literal cost ~10 µs a row, a
      // sixth of an upload's merge (bench/upload.ts).
      return {
        email: given.email ?? null, first_name: given.first_name ?? null, last_name: given.last_name ?? null, street1: given.street1 ?? null,
        street2: given.street2 ?? null, city: given.city ?? null, state: given.state ?? null, postal_code: given.postal_code ?? null, country: given.country ?? null,
        congressional_district: null, state_upper_district: null, state_lower_district: null, split_district: null, latitude: null, longitude: null,
        precision: null, geocoded_city: null, geocoded_state: null, geocoded_postal_code: null, geocoded_country: null, carrier_name: null,
        phone_number: value.phone,
        phone_digits: phoneDigits(value.phone),
        raw_phone: null,
        // Stored in one ISO form so first-seen order and cursors are right whatever form the caller used.
        created_at: origin.firstSeenAt ? new Date(origin.firstSeenAt).toISOString() : at,
        updated_at: at,
        source_type: origin.sourceType,
        source_name: origin.sourceName,
        opted_out_at: optedOutAt,
        opted_out_source: optOut?.reason ?? null,
        status: deriveStatus({ phoneValid: true, optedOutAt }),
        status_filter: deriveStatusFilter({ phoneValid: true, optedOutAt, activeOnActiveCampaigns: 0, formerOnActiveCampaigns: 0 }),
      };
    });
    const ids = await repo.insertProfiles(scope, companyId, rows);
    const fieldValues: repo.StoredValueRow[] = [];
    creates.forEach((item, i) => {
      const profileId = ids.get(item.value.phone)!;
      results[item.index] = { outcome: 'created', profileId };
      const row = rows[i]!;
      // Built only when audited: an upload's million new profiles are recorded by its own entry.
      const audited = options.auditCreated !== false;
      const changes: FieldChanges = {};
      if (audited) {
        for (const key of ['phone_number', ...WRITABLE_FIELDS, 'source_type', 'source_name', 'opted_out_at', 'opted_out_source'] as const) {
          if (row[key] !== null) changes[key] = { before: null, after: row[key] };
        }
      }
      for (const [fieldId, { field, value }] of item.value.custom) {
        if (value === null) continue;
        const stored = toStored(field.field_type, value);
        fieldValues.push({ profile_id: profileId, field_id: fieldId, value_text: stored.text, value_number: stored.number });
        if (audited) changes[`custom_fields.${field.name}`] = { before: null, after: value };
      }
      if (audited) audit.push({ action: 'profile.created', entityType: 'profile', entityId: profileId, changes });
    });
    if (fieldValues.length) await repo.upsertFieldValues(scope, companyId, fieldValues);
  }
  await recordAudit(trx, companyId, actor, audit);
}

function rejected(result: UpsertResult): never {
  throw invalidInput((result as { problems: FieldProblem[] }).problems);
}

/** POST /profiles: create (first seen type API) or update by phone number. */
export async function upsertProfile(database: Database, auth: AuthContext, input: ProfileInput): Promise<{ created: boolean; profile: ProfileView }> {
  const [result] = await upsertProfiles(database, auth.companyId, auth.actor, [input], { sourceType: 'API', sourceName: auth.actor.label });
  if (!result || result.outcome === 'rejected') return rejected(result!);
  return { created: result.outcome === 'created', profile: await getProfile(database, auth.companyId, result.profileId) };
}

/**
 * Loads profiles with their custom fields and subscriptions, in the order of the rows given. A row that says
 * whether it has any subscription (`subscribed`, from the list's page statement) saves reading them when it has none.
 */
export async function viewProfiles(
  database: Database,
  companyId: number,
  rows: Array<repo.ProfileRow & { subscribed?: number | boolean }>,
  fields: Array<{ id: number; name: string; field_type: string }>,
): Promise<ProfileView[]> {
  const fieldsById = new Map(fields.map((f) => [f.id, f]));
  const [values, subscriptions] = await Promise.all([
    rows.length && fields.length ? shownFieldValues(database, companyId, rows.map((r) => r.id)) : [],
    subscriptionsByProfile(database.db, companyId, rows.filter((r) => r.subscribed ?? true).map((r) => r.id)),
  ]);
  const byProfile = new Map<number, Record<string, CanonicalValue>>();
  // Every field is in custom_fields, in definition order, null when the profile has no value.
  const empty: Record<string, CanonicalValue> = Object.fromEntries(fields.map((f) => [f.name, null]));
  for (const row of rows) byProfile.set(row.id, { ...empty });
  for (const v of values) {
    const field = fieldsById.get(v.field_id);
    if (field) byProfile.get(v.profile_id)![field.name] = storedToCanonical(fieldsById, v);
  }
  return rows.map((row) => toProfileView(row, byProfile.get(row.id)!, subscriptions.get(row.id) ?? []));
}

/**
 * A profile row as the API shows it, field by field: copying with rest/spread was a quarter of a list page's
 * time in JavaScript (driver rows are dictionary-mode objects), and the literal also keeps the type exact.
 */
function toProfileView(row: repo.ProfileRow, customFields: Record<string, CanonicalValue>, subscriptions: SubscriptionView[]): ProfileView {
  return {
    id: row.id,
    // An invalid number is kept only as given, so show that in the phone column.
    phone_number: row.phone_number ?? row.raw_phone,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    street1: row.street1,
    street2: row.street2,
    city: row.city,
    state: row.state,
    postal_code: row.postal_code,
    country: row.country,
    congressional_district: row.congressional_district,
    state_upper_district: row.state_upper_district,
    state_lower_district: row.state_lower_district,
    split_district: row.split_district === null ? null : row.split_district === 1,
    latitude: row.latitude,
    longitude: row.longitude,
    precision: row.precision,
    geocoded_city: row.geocoded_city,
    geocoded_state: row.geocoded_state,
    geocoded_postal_code: row.geocoded_postal_code,
    geocoded_country: row.geocoded_country,
    carrier_name: row.carrier_name,
    created_at: row.created_at,
    source_type: row.source_type,
    source_name: row.source_name,
    opted_out_at: row.opted_out_at,
    opted_out_source: row.opted_out_source,
    status: row.status,
    updated_at: row.updated_at,
    description: describeStatus(row.status, row.opted_out_source),
    custom_fields: customFields,
    subscriptions,
  };
}

export async function getProfile(database: Database, companyId: number, profileId: number): Promise<ProfileView> {
  const row = await repo.findProfile(database.db, companyId, profileId);
  if (!row) throw notFound('Profile');
  const { fields } = await customFieldContext(database, companyId);
  return (await viewProfiles(database, companyId, [row], fields))[0]!;
}

/** Finds a profile by any written form of its number. */
export async function lookupProfile(database: Database, companyId: number, rawPhone: string): Promise<ProfileView> {
  const context = await inputContext(database, companyId);
  const phone = normalisePhone(rawPhone, context.defaultCountry);
  if (!phone.ok) throw invalidInput([{ field: 'phone_number', value: rawPhone, message: `${phone.reason} (accepted: a phone number in any written form)` }]);
  const row = await repo.findProfileByPhone(database.db, companyId, phone.e164);
  if (!row) throw notFound('Profile');
  return (await viewProfiles(database, companyId, [row], context.fields))[0]!;
}

/** Changes some fields of one profile (never its first-seen data or opt-out). */
export async function patchProfile(database: Database, auth: AuthContext, profileId: number, input: ProfileInput): Promise<ProfileView> {
  const context = await inputContext(database, auth.companyId);
  const checked = validateProfileInput(input, context, { requirePhone: false });
  if (!checked.ok) throw invalidInput(checked.problems);
  try {
    await database.db.transaction().execute(async (trx) => {
      const row = await repo.findProfile(trx, auth.companyId, profileId);
      if (!row) throw notFound('Profile');
      const values = await repo.findFieldValues({ db: trx, engine: database.engine }, auth.companyId, [profileId]);
      const changes = await applyChanges({ db: trx, engine: database.engine }, auth.companyId, auth.actor, row, values, checked.value, nowIso());
      if (Object.keys(changes).length) await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'profile.updated', entityType: 'profile', entityId: profileId, changes }]);
    });
  } catch (error) {
    if (database.isUniqueViolation(error)) throw new AppError('conflict', `Another profile already has the phone number ${checked.value.phone}`, { field: 'phone_number', value: input.phone_number });
    throw error;
  }
  return getProfile(database, auth.companyId, profileId);
}

const ERASED = '(erased)';

/** Erases a profile's personal data, keeping a hashed-number tombstone with its opt-out so it is never texted again. */
export async function deleteProfile(database: Database, auth: AuthContext, profileId: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const row = await repo.findProfile(trx, auth.companyId, profileId);
    if (!row) throw notFound('Profile');
    const at = nowIso();
    if (row.phone_number) {
      await repo.upsertTombstone(trx, auth.companyId, { phone_hash: tombstoneHash(auth.companyId, row.phone_number), opted_out_at: row.opted_out_at, opted_out_source: row.opted_out_source, deleted_at: at });
    }
    // The audit trail keeps what changed and when, but not the personal data the deletion erases.
    for (const entry of await repo.findProfileAudit(trx, auth.companyId, profileId)) {
      const changes = JSON.parse(entry.changes) as FieldChanges;
      const erased = Object.fromEntries(Object.keys(changes).map((k) => [k, { before: changes[k]!.before === null ? null : ERASED, after: changes[k]!.after === null ? null : ERASED }]));
      await repo.setAuditChanges(trx, auth.companyId, entry.id, JSON.stringify(erased));
    }
    await repo.deleteAllFieldValues(trx, auth.companyId, profileId);
    // Its subscriptions go with it; the tombstone above keeps what matters for never texting it again.
    const subscriptions = await deleteSubscriptionsOfProfile(trx, auth.companyId, profileId);
    await repo.deleteProfileRow(trx, auth.companyId, profileId);
    await recordAudit(trx, auth.companyId, auth.actor, [{
      action: 'profile.deleted',
      entityType: 'profile',
      entityId: profileId,
      changes: { deleted: { before: false, after: true }, ...(subscriptions ? { subscriptions_deleted: { before: subscriptions, after: 0 } } : {}) },
    }]);
  });
}
