import type { Database } from '../../db/database.js';
import { type DbScope, inTransaction } from '../../db/scope.js';
import { invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import { type Actor, recordAudit } from '../audit/audit.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { getCompanySettings } from '../accounts/accounts.service.js';
import { type CountryCode, normalisePhone } from '../profiles/phone.js';
import { STAFF_OPT_OUT_REASONS, type StaffOptOutReason } from '../profiles/profile-rules.js';
import { findTombstones, lockProfileStateByPhone, upsertTombstone } from '../profiles/profiles.repository.js';
import { getProfile, type ProfileView, tombstoneHash } from '../profiles/profiles.service.js';
import * as repo from './opt-outs.repository.js';
import { liftBlacklisting, optOutProfile, undoStaffOptOut } from './profile-opt-out.js';

async function e164(database: Database, companyId: number, raw: string, field: string): Promise<string> {
  const company = await getCompanySettings(database, companyId);
  const phone = normalisePhone(raw, company.default_country as CountryCode);
  if (!phone.ok) throw invalidInput([{ field, value: raw, message: `${phone.reason} (accepted: a phone number in any written form)` }]);
  return phone.e164;
}

/** Staff opt a profile out from its page (or the Inbox): one of the reasons staff may give, Opt-out from profile by default. */
export async function optOutFromStaff(database: Database, auth: AuthContext, profileId: number, reason: string = 'Opt-out from profile'): Promise<ProfileView> {
  if (!(STAFF_OPT_OUT_REASONS as readonly string[]).includes(reason)) {
    throw invalidInput([{ field: 'reason', value: reason, message: `is not a reason staff can give (accepted: ${STAFF_OPT_OUT_REASONS.join(', ')}; the others come from the person, the carrier or the blacklist)` }]);
  }
  await optOutProfile(database, auth.companyId, auth.actor, profileId, reason as StaffOptOutReason);
  return getProfile(database, auth.companyId, profileId);
}

/** Staff undo their own manual opt-out (409 for any other reason). */
export async function optInAgain(database: Database, auth: AuthContext, profileId: number): Promise<ProfileView> {
  await undoStaffOptOut(database, auth.companyId, auth.actor, profileId);
  return getProfile(database, auth.companyId, profileId);
}

export const MAX_MANUAL_OPT_OUTS = 1000;

export interface ManualOptOutResult {
  phone_number: string;
  /**
   * opted_out: the profile is now opted out; already_opted_out: it was (its reason is kept, or replaced only by a
   * firmer one); suppressed: no profile has the number, so it is recorded (hashed, like a deleted profile's) and a
   * profile created for it later starts opted out; rejected: not a phone number.
   */
  outcome: 'opted_out' | 'already_opted_out' | 'suppressed' | 'rejected';
  e164: string | null;
  profile_id: number | null;
  message: string | null;
}

/**
 * Manual Opt-Out of a list of numbers (the API, and later a CSV of numbers), in one transaction: each number's
 * profile is opted out with "Manual Opt-Out"; a number with no profile gets no profile, only a hashed suppression
 * record (a tombstone, as a deleted profile leaves) so that it is never texted and a profile created for it later
 * starts opted out. Each number answers for itself; a bad one is rejected without stopping the rest.
 */
export async function manualOptOut(database: Database, companyId: number, actor: Actor, rawNumbers: string[]): Promise<ManualOptOutResult[]> {
  if (rawNumbers.length > MAX_MANUAL_OPT_OUTS) {
    throw invalidInput([{ field: 'phone_numbers', value: `${rawNumbers.length} numbers`, message: `are too many for one request (accepted: 1 to ${MAX_MANUAL_OPT_OUTS.toLocaleString('en-US')}; send more in several requests)` }]);
  }
  const company = await getCompanySettings(database, companyId);
  const at = nowIso();
  return inTransaction(database, async (trx) => {
    const results: ManualOptOutResult[] = [];
    for (const raw of rawNumbers) {
      const phone = normalisePhone(raw, company.default_country as CountryCode);
      if (!phone.ok) {
        results.push({ phone_number: raw, outcome: 'rejected', e164: null, profile_id: null, message: `${phone.reason} (accepted: a phone number in any written form)` });
        continue;
      }
      const profile = await lockProfileStateByPhone(trx, companyId, phone.e164);
      if (profile) {
        const result = await optOutProfile(trx, companyId, actor, profile.id, 'Manual Opt-Out', at);
        results.push({ phone_number: raw, outcome: result.outcome === 'opted_out' ? 'opted_out' : 'already_opted_out', e164: phone.e164, profile_id: profile.id, message: null });
        continue;
      }
      const hash = tombstoneHash(companyId, phone.e164);
      const [tombstone] = await findTombstones(trx, companyId, [hash]);
      if (tombstone?.opted_out_at) {
        results.push({ phone_number: raw, outcome: 'already_opted_out', e164: phone.e164, profile_id: null, message: null });
        continue;
      }
      // A tombstone's deleted_at reads "no profile since": here, since this opt-out.
      await upsertTombstone(trx.db, companyId, { phone_hash: hash, opted_out_at: at, opted_out_source: 'Manual Opt-Out', deleted_at: at });
      // The audit names the hash, not the number, as a deletion's tombstone does.
      await recordAudit(trx.db, companyId, actor, [{
        action: 'number.suppressed',
        entityType: 'phone_hash',
        entityId: hash,
        changes: { opted_out_at: { before: null, after: at }, opted_out_source: { before: null, after: 'Manual Opt-Out' } },
      }]);
      results.push({ phone_number: raw, outcome: 'suppressed', e164: phone.e164, profile_id: null, message: null });
    }
    return results;
  });
}

export interface BlacklistEntry {
  id: number;
  phone_number: string;
  note: string | null;
  created_by: string;
  created_at: string;
}

export async function listBlacklist(database: Database, companyId: number, query: { page?: number; per_page?: number }): Promise<{ data: BlacklistEntry[]; page: number; per_page: number; total: number }> {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 50;
  const [data, total] = await Promise.all([repo.pageOfBlacklist(database.db, companyId, perPage, (page - 1) * perPage), repo.countBlacklist(database.db, companyId)]);
  return { data, page, per_page: perPage, total };
}

export async function getBlacklistEntry(database: Database, companyId: number, id: number): Promise<BlacklistEntry> {
  const row = await repo.findBlacklisted(database.db, companyId, id);
  if (!row) throw notFound('Blacklist entry');
  return row;
}

/**
 * Puts a number (E.164) on the company's blacklist, inside the scope's transaction: its profile, if any, is opted
 * out as Blacklisted now, and a profile created for it later starts so. A number already there changes nothing
 * (`created: false`).
 */
export async function blacklistNumber(
  scope: DbScope,
  companyId: number,
  actor: Actor,
  input: { phoneNumber: string; note?: string | null; at?: string },
): Promise<{ created: boolean; entry: BlacklistEntry; profileId: number | null }> {
  const at = input.at ?? nowIso();
  return inTransaction(scope, async (trx) => {
    const inserted = await repo.insertBlacklisted(trx.db, companyId, { phone_number: input.phoneNumber, note: input.note ?? null, created_by: actor.label, created_at: at });
    const profile = await lockProfileStateByPhone(trx, companyId, input.phoneNumber);
    if (!inserted) return { created: false, entry: (await repo.findBlacklistedNumber(trx.db, companyId, input.phoneNumber))!, profileId: profile?.id ?? null };
    await recordAudit(trx.db, companyId, actor, [{ action: 'blacklist.added', entityType: 'blacklist', entityId: inserted.id, changes: { phone_number: { before: null, after: input.phoneNumber }, note: { before: null, after: input.note ?? null } } }]);
    if (profile) await optOutProfile(trx, companyId, actor, profile.id, 'Blacklisted', at);
    return { created: true, entry: inserted, profileId: profile?.id ?? null };
  });
}

/** Takes a blacklist entry off, inside the scope's transaction; the number's profile, opted out only for that, is opted in again with its subscriptions. */
export async function unblacklistNumber(scope: DbScope, companyId: number, actor: Actor, entryId: number, at: string = nowIso()): Promise<void> {
  await inTransaction(scope, async (trx) => {
    const entry = await repo.findBlacklisted(trx.db, companyId, entryId);
    if (!entry) throw notFound('Blacklist entry');
    await repo.deleteBlacklisted(trx.db, companyId, entryId);
    await recordAudit(trx.db, companyId, actor, [{ action: 'blacklist.removed', entityType: 'blacklist', entityId: entryId, changes: { phone_number: { before: entry.phone_number, after: null } } }]);
    const profile = await lockProfileStateByPhone(trx, companyId, entry.phone_number);
    if (profile) await liftBlacklisting(trx, companyId, actor, profile.id, at);
  });
}

/** POST /blacklist: a number in any written form, with an optional note. */
export async function addToBlacklist(database: Database, auth: AuthContext, input: { phone_number: string; note?: string | null }): Promise<{ created: boolean; entry: BlacklistEntry; profile_id: number | null }> {
  const phone = await e164(database, auth.companyId, input.phone_number, 'phone_number');
  const note = input.note?.trim() || null;
  if (note && note.length > 500) throw invalidInput([{ field: 'note', value: input.note, message: 'must be at most 500 characters' }]);
  const result = await blacklistNumber(database, auth.companyId, auth.actor, { phoneNumber: phone, note });
  return { created: result.created, entry: result.entry, profile_id: result.profileId };
}

export function removeFromBlacklist(database: Database, auth: AuthContext, id: number): Promise<void> {
  return unblacklistNumber(database, auth.companyId, auth.actor, id);
}
