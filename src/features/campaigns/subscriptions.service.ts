import type { Kysely } from 'kysely';
import { type DbScope, inTransaction } from '../../db/scope.js';
import type { DB } from '../../db/schema.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import { type Actor, type AuditEntry, recordAudit } from '../audit/audit.js';
import { deriveStatus, deriveStatusFilter } from '../profiles/profile-rules.js';
import { lockProfileStates, type ProfileStateRow, type ProfileUpdate, setProfileStates } from '../profiles/profiles.repository.js';
import * as repo from './campaigns.repository.js';

/** A subscription's own status (SPEC §3), not to be confused with the profile's subscription status. */
export const SUBSCRIPTION_STATES = ['pending', 'active', 'opted_out', 'removed'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

/** A subscription as the API shows it, with its campaign's and opt-in path's names. */
export interface SubscriptionView {
  id: number;
  profile_id: number;
  campaign_id: number;
  campaign_name: string;
  campaign_status: 'active' | 'ended';
  status: SubscriptionState;
  opt_in_path_id: number | null;
  opt_in_path_name: string | null;
  activated_at: string | null;
  opted_out_at: string | null;
  opt_out_source: string | null;
  created_at: string;
  updated_at: string;
}

export function toSubscriptionView(row: repo.SubscriptionDetailRow): SubscriptionView {
  return {
    id: row.id,
    profile_id: row.profile_id,
    campaign_id: row.campaign_id,
    campaign_name: row.campaign_name,
    campaign_status: row.campaign_status as SubscriptionView['campaign_status'],
    status: row.status as SubscriptionState,
    opt_in_path_id: row.opt_in_path_id,
    opt_in_path_name: row.opt_in_path_name,
    activated_at: row.activated_at,
    opted_out_at: row.opted_out_at,
    opt_out_source: row.opt_out_source,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * Recomputes the stored status and Subscription status filter of these profiles from their subscriptions
 * and writes what changed. Call it inside the transaction that changed them: it locks the profiles first
 * (PostgreSQL), so it reads every subscription committed before it and no other writer moves them meanwhile.
 * New opt-out columns (`optOuts`) are written in the same statement as the status they lead to, so the kept
 * counters move once per profile.
 */
export async function refreshProfileStatus(
  scope: DbScope,
  companyId: number,
  profileIds: readonly number[],
  at: string = nowIso(),
  optOuts: ReadonlyMap<number, OptOutColumns> = new Map(),
): Promise<void> {
  if (!profileIds.length) return;
  const profiles = await lockProfileStates(scope, companyId, profileIds);
  const facts = new Map((await repo.subscriptionFacts(scope.db, companyId, profiles.map((p) => p.id))).map((f) => [f.profile_id, f]));
  // Profiles that move to the same values are written together: ending a big campaign is a few statements, not one per profile.
  const moves = new Map<string, { values: ProfileUpdate; ids: number[] }>();
  for (const current of profiles) {
    const optOut = optOuts.get(current.id);
    const profile = optOut ? { ...current, ...optOut } : current;
    const next = derivedState(profile, facts.get(profile.id));
    if (!optOut && next.status === current.status && next.status_filter === current.status_filter) continue;
    // updated_at follows what a person sees; the filter alone moves when a campaign ends, which is not a change to the profile.
    const values: ProfileUpdate = optOut || next.status !== current.status ? { ...optOut, ...next, updated_at: at } : { status_filter: next.status_filter };
    const key = JSON.stringify(values);
    (moves.get(key) ?? moves.set(key, { values, ids: [] }).get(key)!).ids.push(profile.id);
  }
  for (const { values, ids } of moves.values()) await setProfileStates(scope.db, companyId, ids, values);
}

/** A profile's opt-out columns as an opt-out or its lifting leaves them. */
export interface OptOutColumns {
  opted_out_at: string | null;
  opted_out_source: string | null;
}

function derivedState(profile: ProfileStateRow, facts: repo.SubscriptionFacts | undefined): { status: string; status_filter: string } {
  const phoneValid = profile.phone_number !== null;
  return {
    status: deriveStatus({ phoneValid, optedOutAt: profile.opted_out_at, activeSubscriptions: facts?.active ?? 0, anySubscriptions: facts?.ever_active ?? 0, crmMatched: false }),
    status_filter: deriveStatusFilter({
      phoneValid,
      optedOutAt: profile.opted_out_at,
      activeOnActiveCampaigns: facts?.active_on_active_campaigns ?? 0,
      formerOnActiveCampaigns: facts?.former_on_active_campaigns ?? 0,
    }),
  };
}

export interface SubscribeInput {
  profileId: number;
  campaignId: number;
  optInPathId?: number | null;
  /** Already confirmed (a YES, or staff vouching for it): active at once even on a double opt-in path. */
  confirmed?: boolean;
  at?: string;
}

export interface SubscribeResult {
  /** subscribed / pending: a new subscription; already_subscribed: the existing one, unchanged; profile_opted_out: nothing. */
  outcome: 'subscribed' | 'pending' | 'already_subscribed' | 'profile_opted_out';
  subscription: SubscriptionView | null;
}

/**
 * Subscribes a profile to an active campaign, optionally through one of its opt-in paths (pending until a YES
 * when the path asks for double opt-in). Subscribing someone who already has a subscription to the campaign,
 * in any status, or who opted out at profile level, does nothing (SPEC §3) and says so.
 */
export async function subscribe(scope: DbScope, companyId: number, actor: Actor, input: SubscribeInput): Promise<SubscribeResult> {
  const at = input.at ?? nowIso();
  return inTransaction(scope, async (trx) => {
    const campaign = await repo.lockCampaign(trx, companyId, input.campaignId, 'share');
    if (!campaign) throw notFound('Campaign');
    if (campaign.status !== 'active') throw new AppError('conflict', `Campaign ${JSON.stringify(campaign.name)} has ended; it takes no new subscriptions`, { campaign_id: campaign.id });
    let path: repo.OptInPathRow | undefined;
    if (input.optInPathId != null) {
      path = await repo.findOptInPath(trx.db, companyId, input.optInPathId);
      if (!path) throw notFound('Opt-in path');
      if (path.campaign_id !== campaign.id) {
        throw invalidInput([{ field: 'opt_in_path_id', value: input.optInPathId, message: `belongs to another campaign (accepted: an opt-in path of campaign ${campaign.id})` }]);
      }
    }
    const [profile] = await lockProfileStates(trx, companyId, [input.profileId]);
    if (!profile) throw notFound('Profile');
    if (profile.phone_number === null) throw new AppError('conflict', 'The profile has invalid profile data (no valid mobile number); it cannot be subscribed', { profile_id: profile.id });
    const existing = await repo.findSubscriptionOf(trx.db, companyId, profile.id, campaign.id);
    if (existing) return { outcome: 'already_subscribed', subscription: toSubscriptionView(existing) };
    if (profile.opted_out_at) return { outcome: 'profile_opted_out', subscription: null };
    const status: SubscriptionState = path?.double_opt_in && !input.confirmed ? 'pending' : 'active';
    const activatedAt = status === 'active' ? at : null;
    const id = await repo.insertSubscription(trx.db, companyId, { profile_id: profile.id, campaign_id: campaign.id, opt_in_path_id: path?.id ?? null, status, activated_at: activatedAt, created_at: at });
    // The profile is locked, so nobody else can have subscribed it meanwhile; on SQLite likewise (one writer).
    if (id === undefined) return { outcome: 'already_subscribed', subscription: toSubscriptionView((await repo.findSubscriptionOf(trx.db, companyId, profile.id, campaign.id))!) };
    // As inserted (not read back: one statement less for every keyword that subscribes someone).
    const created: repo.SubscriptionDetailRow = {
      id, profile_id: profile.id, campaign_id: campaign.id, opt_in_path_id: path?.id ?? null, status, activated_at: activatedAt, opted_out_at: null,
      opt_out_source: null, opted_out_with_profile: 0, created_at: at, updated_at: at, campaign_name: campaign.name, campaign_status: campaign.status,
      opt_in_path_name: path?.name ?? null,
    };
    await recordAudit(trx.db, companyId, actor, [{
      action: 'subscription.created',
      entityType: 'subscription',
      entityId: id,
      changes: {
        profile_id: { before: null, after: profile.id },
        campaign_id: { before: null, after: campaign.id },
        opt_in_path_id: { before: null, after: path?.id ?? null },
        status: { before: null, after: status },
        activated_at: { before: null, after: activatedAt },
      },
    }]);
    await refreshProfileStatus(trx, companyId, [profile.id], at);
    return { outcome: status === 'active' ? 'subscribed' : 'pending', subscription: toSubscriptionView(created) };
  });
}

/**
 * Confirms a profile's pending subscriptions (a YES to a double opt-in): all of them on active campaigns, or the
 * one of `campaignId`. Answers the subscriptions it activated; none when the profile is opted out.
 */
export async function confirmPending(scope: DbScope, companyId: number, actor: Actor, input: { profileId: number; campaignId?: number; at?: string }): Promise<SubscriptionView[]> {
  const at = input.at ?? nowIso();
  return inTransaction(scope, async (trx) => {
    const [profile] = await lockProfileStates(trx, companyId, [input.profileId]);
    if (!profile) throw notFound('Profile');
    if (profile.opted_out_at) return [];
    const pending = (await repo.subscriptionsOfProfiles(trx.db, companyId, [profile.id])).filter(
      (s) => s.status === 'pending' && s.campaign_status === 'active' && (input.campaignId === undefined || s.campaign_id === input.campaignId),
    );
    if (!pending.length) return [];
    const audit: AuditEntry[] = [];
    for (const s of pending) {
      await repo.updateSubscription(trx.db, companyId, s.id, { status: 'active', activated_at: at, updated_at: at });
      audit.push({ action: 'subscription.confirmed', entityType: 'subscription', entityId: s.id, changes: { status: { before: 'pending', after: 'active' }, activated_at: { before: null, after: at } } });
    }
    await recordAudit(trx.db, companyId, actor, audit);
    await refreshProfileStatus(trx, companyId, [profile.id], at);
    const ids = new Set(pending.map((s) => s.id));
    return (await repo.subscriptionsOfProfiles(trx.db, companyId, [profile.id])).filter((s) => ids.has(s.id)).map(toSubscriptionView);
  });
}

export interface UnsubscribeInput {
  profileId: number;
  campaignId: number;
  /** staff: the subscription is removed; person: it is opted out (the person asked to leave this campaign). */
  by: 'staff' | 'person';
  /** Why, kept as the subscription's opt_out_source; defaults to "Removed by staff" or "Opted out of campaign". */
  source?: string;
  at?: string;
}

/** Ends one campaign subscription (not a profile-level opt-out). A subscription already ended is answered unchanged. */
export async function unsubscribe(scope: DbScope, companyId: number, actor: Actor, input: UnsubscribeInput): Promise<{ outcome: 'removed' | 'opted_out' | 'unchanged'; subscription: SubscriptionView }> {
  const at = input.at ?? nowIso();
  return inTransaction(scope, async (trx) => {
    const [profile] = await lockProfileStates(trx, companyId, [input.profileId]);
    if (!profile) throw notFound('Profile');
    const current = await repo.findSubscriptionOf(trx.db, companyId, profile.id, input.campaignId);
    if (!current) throw notFound('Subscription');
    if (current.status !== 'active' && current.status !== 'pending') return { outcome: 'unchanged', subscription: toSubscriptionView(current) };
    const status: SubscriptionState = input.by === 'staff' ? 'removed' : 'opted_out';
    const source = input.source ?? (input.by === 'staff' ? 'Removed by staff' : 'Opted out of campaign');
    await repo.updateSubscription(trx.db, companyId, current.id, { status, opted_out_at: at, opt_out_source: source, updated_at: at });
    await recordAudit(trx.db, companyId, actor, [{
      action: status === 'removed' ? 'subscription.removed' : 'subscription.opted_out',
      entityType: 'subscription',
      entityId: current.id,
      changes: { status: { before: current.status, after: status }, opted_out_at: { before: null, after: at }, opt_out_source: { before: null, after: source } },
    }]);
    await refreshProfileStatus(trx, companyId, [profile.id], at);
    return { outcome: status, subscription: toSubscriptionView((await repo.findSubscription(trx.db, companyId, current.id))!) };
  });
}

/**
 * Part of a profile-level opt-out, inside its transaction: ends every active or pending subscription of the
 * profile with the same reason and date, marked so that lifting the opt-out brings them back. Answers how many.
 */
export async function endSubscriptionsWithProfile(trx: DbScope, companyId: number, actor: Actor, profileId: number, reason: string, at: string): Promise<number> {
  const live = await repo.subscriptionsInStatus(trx.db, companyId, profileId, ['active', 'pending']);
  for (const s of live) await repo.updateSubscription(trx.db, companyId, s.id, { status: 'opted_out', opted_out_at: at, opt_out_source: reason, opted_out_with_profile: 1, updated_at: at });
  await recordAudit(trx.db, companyId, actor, live.map((s) => ({
    action: 'subscription.opted_out',
    entityType: 'subscription',
    entityId: s.id,
    changes: { status: { before: s.status, after: 'opted_out' }, opted_out_at: { before: s.opted_out_at, after: at }, opt_out_source: { before: s.opt_out_source, after: reason } },
  })));
  return live.length;
}

/**
 * Part of lifting a profile-level opt-out, inside its transaction: the subscriptions that opt-out ended come back
 * as they were (active if they had been confirmed, else pending). Answers how many.
 */
export async function restoreSubscriptionsWithProfile(trx: DbScope, companyId: number, actor: Actor, profileId: number, at: string): Promise<number> {
  const ended = await repo.subscriptionsEndedWithProfile(trx.db, companyId, profileId);
  const audit: AuditEntry[] = [];
  for (const s of ended) {
    const status: SubscriptionState = s.activated_at ? 'active' : 'pending';
    await repo.updateSubscription(trx.db, companyId, s.id, { status, opted_out_at: null, opt_out_source: null, opted_out_with_profile: 0, updated_at: at });
    audit.push({
      action: 'subscription.restored',
      entityType: 'subscription',
      entityId: s.id,
      changes: { status: { before: s.status, after: status }, opted_out_at: { before: s.opted_out_at, after: null }, opt_out_source: { before: s.opt_out_source, after: null } },
    });
  }
  await recordAudit(trx.db, companyId, actor, audit);
  return ended.length;
}

/** The subscriptions of each profile, oldest first, for the profile JSON. */
export async function subscriptionsByProfile(db: Kysely<DB>, companyId: number, profileIds: number[]): Promise<Map<number, SubscriptionView[]>> {
  const byProfile = new Map<number, SubscriptionView[]>(profileIds.map((id) => [id, []]));
  if (!profileIds.length) return byProfile;
  for (const row of await repo.subscriptionsOfProfiles(db, companyId, profileIds)) byProfile.get(row.profile_id)?.push(toSubscriptionView(row));
  return byProfile;
}

/** Part of erasing a profile, inside its transaction: its subscriptions go with it. Answers how many. */
export async function deleteSubscriptionsOfProfile(trx: Kysely<DB>, companyId: number, profileId: number): Promise<number> {
  const [result] = await repo.deleteSubscriptionsOfProfile(trx, companyId, profileId);
  return Number(result?.numDeletedRows ?? 0);
}
