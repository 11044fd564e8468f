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

/** What the status depends on; later capabilities (subscriptions, CRM) fill in the rest. */
export interface StatusInputs {
  phoneValid: boolean;
  optedOutAt: string | null;
  activeSubscriptions?: number;
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

/** The export's `description`: why a profile cannot be texted, or null when it can. */
export function describeStatus(status: string, optedOutSource: string | null): string | null {
  if (status === 'Invalid Profile Data') return 'Invalid Profile Data - phone number is not a valid mobile number';
  if (status === 'Opted Out') return `Undeliverable - ${optedOutSource ?? 'Manual Opt-Out'}`;
  return null;
}
