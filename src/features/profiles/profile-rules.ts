/** First seen types (SPEC §2): how a profile first reached Roster. Set once, never changed. */
export const SOURCE_TYPES = ['Donated', 'Uploaded group', 'Called mConnect', 'Used mData', 'Opted in', 'Unknown', 'CRM', 'API'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Subscription statuses (SPEC §3), in the order they take precedence. */
export const SUBSCRIPTION_STATUSES = ['Invalid Profile Data', 'Opted Out', 'Active Subscriber', 'Former Subscriber', 'Synced', 'No Subscriptions'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Profile-level opt-out reasons (SPEC §3); shown as `Undeliverable - <reason>`. */
export const OPT_OUT_REASONS = [
  'Texted a STOP word',
  'Hard Bounce',
  'Opt-out from profile',
  'Opt-out from Inbox',
  'Phone was Deactivated',
  'Manual Opt-Out',
  'Blacklisted',
] as const;
export type OptOutReason = (typeof OPT_OUT_REASONS)[number];

export const PRECISIONS = ['Address', 'Rooftop', 'Point', 'Range', 'Street center', 'Place', 'State'] as const;

/**
 * What the status depends on. Subscription counts come from the profile's subscriptions (SPEC §3);
 * CRM matching is not built yet, so callers leave crmMatched false.
 */
export interface StatusInputs {
  phoneValid: boolean;
  optedOutAt: string | null;
  /** Subscriptions whose status is active, to any campaign (active or ended). */
  activeSubscriptions?: number;
  /** Subscriptions that were ever active (activated_at set), whatever their status now: a pending one never confirmed is not one. */
  anySubscriptions?: number;
  crmMatched?: boolean;
}

/** The one subscription status of a profile: the first rule of SPEC §3 that applies. */
export function deriveStatus(inputs: StatusInputs): SubscriptionStatus {
  if (!inputs.phoneValid) return 'Invalid Profile Data';
  if (inputs.optedOutAt) return 'Opted Out';
  if ((inputs.activeSubscriptions ?? 0) > 0) return 'Active Subscriber';
  if ((inputs.anySubscriptions ?? 0) > 0) return 'Former Subscriber';
  if (inputs.crmMatched) return 'Synced';
  return 'No Subscriptions';
}

/**
 * The Subscription status filter choices of SPEC §3 that are stored on the profile (`profiles.status_filter`),
 * one per profile. "All" is no filter, and "Synced" (a CRM match) is read from the status.
 */
export const STORED_STATUS_FILTERS = ['active', 'former', 'none', 'opted_out', 'invalid'] as const;
export type StoredStatusFilter = (typeof STORED_STATUS_FILTERS)[number];

/** What the filter depends on: the filter counts only subscriptions to campaigns that are still active. */
export interface StatusFilterInputs {
  phoneValid: boolean;
  optedOutAt: string | null;
  /** Active subscriptions to active campaigns. */
  activeOnActiveCampaigns: number;
  /** Subscriptions to active campaigns that were active once and are not now (opted out or removed). */
  formerOnActiveCampaigns: number;
}

/**
 * The filter a profile falls under (SPEC §3, "Subscription status filter"): invalid and opted-out profiles only
 * in their own; Active subscribers have an active subscription to an active campaign; Former subscribers were
 * subscribed to an active campaign and are no longer (and are subscribed to none); everyone else has no
 * subscription to any active campaign (a pending one, never confirmed, is not a subscription yet).
 */
export function deriveStatusFilter(inputs: StatusFilterInputs): StoredStatusFilter {
  if (!inputs.phoneValid) return 'invalid';
  if (inputs.optedOutAt) return 'opted_out';
  if (inputs.activeOnActiveCampaigns > 0) return 'active';
  if (inputs.formerOnActiveCampaigns > 0) return 'former';
  return 'none';
}

/** The export's `description`: why a profile cannot be texted, or null when it can. */
export function describeStatus(status: string, optedOutSource: string | null): string | null {
  if (status === 'Invalid Profile Data') return 'Invalid Profile Data - phone number is not a valid mobile number';
  if (status === 'Opted Out') return `Undeliverable - ${optedOutSource ?? 'Manual Opt-Out'}`;
  return null;
}

/** The reasons staff give when they opt a profile out by hand; only these can staff undo. */
export const STAFF_OPT_OUT_REASONS = ['Opt-out from profile', 'Opt-out from Inbox', 'Manual Opt-Out'] as const satisfies readonly OptOutReason[];
export type StaffOptOutReason = (typeof STAFF_OPT_OUT_REASONS)[number];

/**
 * Who may lift each opt-out (SPEC §3): the person, by texting START, UNSTOP or YES after their own STOP; staff,
 * undoing their own manual opt-out; the blacklist, when the number is taken off it; or nobody (a bounce or a
 * deactivation is the carrier's word, not a choice anyone in Roster can reverse).
 */
export const OPT_OUT_LIFTED_BY: Record<OptOutReason, 'person' | 'staff' | 'blacklist' | 'nobody'> = {
  'Texted a STOP word': 'person',
  'Hard Bounce': 'nobody',
  'Opt-out from profile': 'staff',
  'Opt-out from Inbox': 'staff',
  'Phone was Deactivated': 'nobody',
  'Manual Opt-Out': 'staff',
  Blacklisted: 'blacklist',
};

export function isOptOutReason(value: unknown): value is OptOutReason {
  return typeof value === 'string' && (OPT_OUT_REASONS as readonly string[]).includes(value);
}

/** Who may lift an opt-out with this stored reason; a reason Roster does not know (e.g. imported) is lifted by nobody. */
export function optOutLiftedBy(reason: string | null): 'person' | 'staff' | 'blacklist' | 'nobody' {
  return isOptOutReason(reason) ? OPT_OUT_LIFTED_BY[reason] : 'nobody';
}

// Staff opt-outs give way to the blacklist, and both to what the person or the carrier said, so that an opt-out
// staff may undo never hides one they may not.
const FIRMNESS = { staff: 1, blacklist: 2, person: 3, nobody: 3 } as const;

export interface OptOut {
  at: string;
  reason: string;
}

/**
 * The opt-out a profile has after another one arrives: the first one stays unless the new one is firmer
 * (a STOP after a staff opt-out becomes the reason, with its own date), so that nothing staff can undo ever
 * stands in front of something they cannot.
 */
export function mergeOptOut(current: OptOut | null, incoming: OptOut | null): OptOut | null {
  if (!current) return incoming;
  if (!incoming) return current;
  return FIRMNESS[optOutLiftedBy(incoming.reason)] > FIRMNESS[optOutLiftedBy(current.reason)] ? incoming : current;
}
