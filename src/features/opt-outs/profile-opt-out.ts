import { type DbScope, inTransaction } from '../../db/scope.js';
import { AppError, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import { type Actor, type FieldChanges, recordAudit } from '../audit/audit.js';
import { endSubscriptionsWithProfile, refreshProfileStatus, restoreSubscriptionsWithProfile } from '../campaigns/subscriptions.service.js';
import { mergeOptOut, type OptOut, type OptOutReason, optOutLiftedBy } from '../profiles/profile-rules.js';
import { clearTombstoneOptOut, lockProfileStates, type ProfileStateRow, tombstoneHash } from '../profiles/profiles.repository.js';
import { blacklistedAmong } from './opt-outs.repository.js';
import { waitForSendsTo } from '../messaging/send-leases.js';

/**
 * The profile-level opt-out engine (SPEC §3): every opt-out, every lifting of one, and what they do to the
 * profile's subscriptions and stored status, each in one transaction. Callers already in a transaction pass it
 * as the scope (`{ db: trx, engine }`) so the opt-out commits with their own writes (an inbound message, a send).
 */

export interface OptOutResult {
  /** opted_out: newly; reason_changed: it was, now for a firmer reason; unchanged: it already was, for as firm a reason. */
  outcome: 'opted_out' | 'reason_changed' | 'unchanged';
  profileId: number;
  optedOutAt: string;
  optedOutSource: string;
}

function currentOptOut(row: ProfileStateRow): OptOut | null {
  return row.opted_out_at ? { at: row.opted_out_at, reason: row.opted_out_source ?? 'Manual Opt-Out' } : null;
}

async function lockOne(scope: DbScope, companyId: number, profileId: number): Promise<ProfileStateRow> {
  const [row] = await lockProfileStates(scope, companyId, [profileId]);
  if (!row) throw notFound('Profile');
  return row;
}

/** The profile's status fields after a change, for the audit entry's before/after. */
async function statusChange(trx: DbScope, companyId: number, before: ProfileStateRow): Promise<FieldChanges> {
  const after = await lockOne(trx, companyId, before.id);
  return after.status === before.status ? {} : { status: { before: before.status, after: after.status } };
}

/**
 * Opts a profile out of everything at once: sets opted_out_at and opted_out_source and ends every active or
 * pending subscription with the same reason and date. A profile already opted out keeps its opt-out unless the
 * new reason is firmer (a STOP after a staff opt-out: see mergeOptOut), so nothing staff can undo ever hides
 * something they cannot.
 */
export function optOutProfile(scope: DbScope, companyId: number, actor: Actor, profileId: number, reason: OptOutReason, at: string = nowIso()): Promise<OptOutResult> {
  return applyOptOut(scope, companyId, actor, profileId, { at, reason });
}

/** optOutProfile with a given date and any stored reason: for an opt-out carried over from a deleted profile's number. */
export function applyOptOut(scope: DbScope, companyId: number, actor: Actor, profileId: number, incoming: OptOut): Promise<OptOutResult> {
  return inTransaction(scope, async (trx) => {
    const row = await lockOne(trx, companyId, profileId);
    const current = currentOptOut(row);
    const next = mergeOptOut(current, incoming)!;
    if (current && next === current) return { outcome: 'unchanged', profileId, optedOutAt: current.at, optedOutSource: current.reason };
    // A message to the number may be on its way to the gateway: this opt-out commits only after that is over (SPEC §3).
    if (!current) await waitForSendsTo(trx, companyId, profileId);
    // Subscriptions end with the first opt-out; a firmer reason later only renames why the profile is out.
    const ended = current ? 0 : await endSubscriptionsWithProfile(trx, companyId, actor, profileId, next.reason, next.at);
    await refreshProfileStatus(trx, companyId, [profileId], nowIso(), new Map([[profileId, { opted_out_at: next.at, opted_out_source: next.reason }]]));
    const changes: FieldChanges = {
      opted_out_at: { before: row.opted_out_at, after: next.at },
      opted_out_source: { before: row.opted_out_source, after: next.reason },
      ...(await statusChange(trx, companyId, row)),
      ...(ended ? { subscriptions_opted_out: { before: 0, after: ended } } : {}),
    };
    await recordAudit(trx.db, companyId, actor, [{ action: 'profile.opted_out', entityType: 'profile', entityId: profileId, changes }]);
    return { outcome: current ? 'reason_changed' : 'opted_out', profileId, optedOutAt: next.at, optedOutSource: next.reason };
  });
}

export interface LiftResult {
  /** opted_in: the opt-out is gone and its subscriptions are back; blacklisted: the number is on the blacklist, so the profile stays out for that reason. */
  outcome: 'opted_in' | 'blacklisted';
  profileId: number;
  subscriptionsRestored: number;
}

/**
 * Lifts the profile's opt-out on a locked row, inside the caller's transaction: the subscriptions that opt-out
 * ended come back as they were. A blacklisted number stays opted out, now as Blacklisted.
 */
async function lift(trx: DbScope, companyId: number, actor: Actor, row: ProfileStateRow, how: string, at: string): Promise<LiftResult> {
  if (row.phone_number && (await blacklistedAmong(trx, companyId, [row.phone_number])).has(row.phone_number)) {
    // The person took back their own opt-out, but the company's blacklist still holds the number.
    if (row.opted_out_source !== 'Blacklisted') {
      await refreshProfileStatus(trx, companyId, [row.id], at, new Map([[row.id, { opted_out_at: at, opted_out_source: 'Blacklisted' }]]));
      await recordAudit(trx.db, companyId, actor, [{
        action: 'profile.opted_out',
        entityType: 'profile',
        entityId: row.id,
        changes: { opted_out_at: { before: row.opted_out_at, after: at }, opted_out_source: { before: row.opted_out_source, after: 'Blacklisted' }, lifted_by: { before: null, after: how } },
      }]);
    }
    return { outcome: 'blacklisted', profileId: row.id, subscriptionsRestored: 0 };
  }
  // An older opt-out of the same number (a deleted profile's, a Manual Opt-Out before the profile existed) is settled too.
  if (row.phone_number) await clearTombstoneOptOut(trx.db, companyId, tombstoneHash(companyId, row.phone_number));
  const restored = await restoreSubscriptionsWithProfile(trx, companyId, actor, row.id, at);
  await refreshProfileStatus(trx, companyId, [row.id], at, new Map([[row.id, { opted_out_at: null, opted_out_source: null }]]));
  await recordAudit(trx.db, companyId, actor, [{
    action: 'profile.opted_in',
    entityType: 'profile',
    entityId: row.id,
    changes: {
      opted_out_at: { before: row.opted_out_at, after: null },
      opted_out_source: { before: row.opted_out_source, after: null },
      lifted_by: { before: null, after: how },
      ...(await statusChange(trx, companyId, row)),
      ...(restored ? { subscriptions_restored: { before: 0, after: restored } } : {}),
    },
  }]);
  return { outcome: 'opted_in', profileId: row.id, subscriptionsRestored: restored };
}

export type ResubscribeResult = LiftResult | { outcome: 'not_stopped'; profileId: number; subscriptionsRestored: 0 };

/**
 * The person texted START, UNSTOP or YES (SPEC §3): lifts their opt-out only when it is their own STOP
 * ("Texted a STOP word"); any other opt-out, or none, is answered `not_stopped` and nothing changes.
 * Only the inbound message path may call this: never staff, an import or the API.
 */
export function resubscribeAfterStop(scope: DbScope, companyId: number, actor: Actor, profileId: number, at: string = nowIso()): Promise<ResubscribeResult> {
  return inTransaction(scope, async (trx) => {
    const row = await lockOne(trx, companyId, profileId);
    if (!row.opted_out_at || optOutLiftedBy(row.opted_out_source) !== 'person') return { outcome: 'not_stopped', profileId, subscriptionsRestored: 0 };
    return lift(trx, companyId, actor, row, 'person (START)', at);
  });
}

/**
 * Staff undo their own manual opt-out (Opt-out from profile, Opt-out from Inbox, Manual Opt-Out), or a Blacklisted
 * one whose number is no longer on the blacklist (the profile moved to another number). Any other reason is a 409
 * that names it and who can lift it: never a STOP, a Hard Bounce or a deactivation.
 */
export function undoStaffOptOut(scope: DbScope, companyId: number, actor: Actor, profileId: number, at: string = nowIso()): Promise<LiftResult> {
  return inTransaction(scope, async (trx) => {
    const row = await lockOne(trx, companyId, profileId);
    if (!row.opted_out_at) throw new AppError('conflict', 'The profile is not opted out', { profile_id: profileId });
    const reason = row.opted_out_source ?? 'Manual Opt-Out';
    const details = { profile_id: profileId, opted_out_source: reason };
    switch (optOutLiftedBy(reason)) {
      case 'staff':
        return lift(trx, companyId, actor, row, 'staff', at);
      case 'person':
        throw new AppError('conflict', `The profile opted out because the person ${reason === 'Texted a STOP word' ? 'texted a STOP word' : `did (${reason})`}; staff can never undo that. Only the person can opt in again, by texting START`, details);
      case 'blacklist':
        // Its number has changed since, and the new one is not blacklisted: nothing else would ever lift it.
        if (row.phone_number && !(await blacklistedAmong(trx, companyId, [row.phone_number])).has(row.phone_number)) return lift(trx, companyId, actor, row, 'staff', at);
        throw new AppError('conflict', 'The profile is opted out because its number is Blacklisted; remove the number from the blacklist instead', details);
      default:
        throw new AppError('conflict', `The profile is opted out for "${reason}", which nobody can undo: the carrier reported the number cannot receive messages`, details);
    }
  });
}

/** Part of taking a number off the blacklist, inside its transaction: a profile opted out only for that is opted in again. */
export async function liftBlacklisting(trx: DbScope, companyId: number, actor: Actor, profileId: number, at: string = nowIso()): Promise<LiftResult | null> {
  const row = await lockOne(trx, companyId, profileId);
  if (!row.opted_out_at || row.opted_out_source !== 'Blacklisted') return null;
  return lift(trx, companyId, actor, row, 'blacklist removal', at);
}

/** Why a profile must not be texted now, or null when it may be (the send invariant's check, SPEC §3); lock it for the send's transaction with lockForSend. */
export function untextableReason(row: Pick<ProfileStateRow, 'phone_number' | 'opted_out_at' | 'opted_out_source'>): string | null {
  if (row.phone_number === null) return 'Invalid Profile Data';
  if (row.opted_out_at) return `Undeliverable - ${row.opted_out_source ?? 'Manual Opt-Out'}`;
  return null;
}

/**
 * Locks a profile for a send and answers why it must not be texted, or null: hold the transaction open while
 * recording the message, so no opt-out can commit between the check and the record.
 */
export async function lockForSend(trx: DbScope, companyId: number, profileId: number): Promise<string | null> {
  return untextableReason(await lockOne(trx, companyId, profileId));
}

/** The numbers among these (E.164) on the company's blacklist. */
export function blacklistedNumbers(scope: DbScope, companyId: number, phoneNumbers: readonly string[]): Promise<Set<string>> {
  return blacklistedAmong(scope, companyId, phoneNumbers);
}
