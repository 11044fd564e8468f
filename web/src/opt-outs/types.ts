/** Shapes of the opt-outs API (src/features/opt-outs/opt-outs.routes.ts) that these screens read. */

export interface BlacklistEntry {
  id: number;
  /** E.164. */
  phone_number: string;
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface BlacklistPage {
  data: BlacklistEntry[];
  page: number;
  per_page: number;
  total: number;
}

export type ManualOptOutOutcome = 'opted_out' | 'already_opted_out' | 'suppressed' | 'rejected';

export interface ManualOptOutResult {
  /** As given. */
  phone_number: string;
  outcome: ManualOptOutOutcome;
  e164: string | null;
  profile_id: number | null;
  /** Why a number was rejected. */
  message: string | null;
}

export const OUTCOME_LABELS: Record<ManualOptOutOutcome, { label: string; color: string; explanation: string }> = {
  opted_out: { label: 'Opted out', color: 'teal', explanation: 'The profile is now opted out.' },
  already_opted_out: { label: 'Already opted out', color: 'gray', explanation: 'The profile was opted out before.' },
  suppressed: { label: 'Recorded', color: 'blue', explanation: 'No profile has this number; it will never be texted and starts opted out if it becomes one.' },
  rejected: { label: 'Rejected', color: 'red', explanation: '' },
};

/** The most numbers one request takes (the API's MAX_MANUAL_OPT_OUTS); bigger lists go in several requests. */
export const MANUAL_OPT_OUT_BATCH = 1000;
