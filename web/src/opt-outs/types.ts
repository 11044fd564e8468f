/** The opt-outs API's answers these screens read, as the routes declare them (generated: ../api/openapi.ts). */
import type { Answer } from '../api/openapi';

export type BlacklistPage = Answer<'/api/v1/blacklist', 'get'>;

export type BlacklistEntry = BlacklistPage['data'][number];

export type ManualOptOutResult = Answer<'/api/v1/opt-outs', 'post'>['data'][number];

export type ManualOptOutOutcome = ManualOptOutResult['outcome'];

export const OUTCOME_LABELS: Record<ManualOptOutOutcome, { label: string; color: string; explanation: string }> = {
  opted_out: { label: 'Opted out', color: 'teal', explanation: 'The profile is now opted out.' },
  already_opted_out: { label: 'Already opted out', color: 'gray', explanation: 'The profile was opted out before.' },
  suppressed: { label: 'Recorded', color: 'blue', explanation: 'No profile has this number; it will never be texted and starts opted out if it becomes one.' },
  rejected: { label: 'Rejected', color: 'red', explanation: '' },
};

/** The most numbers one request takes (the API's MAX_MANUAL_OPT_OUTS); bigger lists go in several requests. */
export const MANUAL_OPT_OUT_BATCH = 1000;
