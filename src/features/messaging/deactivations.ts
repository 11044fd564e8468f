import type { Database } from '../../db/database.js';
import { invalidInput } from '../../errors.js';
import { checkDay, nowIso } from '../../time.js';
import type { Actor } from '../audit/audit.js';
import { optOutProfile } from '../opt-outs/profile-opt-out.js';
import type { SmsGateway } from './gateways/gateway.js';

/**
 * The carriers' deactivation feed (SPEC §4): a number a carrier deactivated may be given to someone else, who never
 * asked for our texts, so every profile on it becomes "Phone was Deactivated" (which nobody can undo). The gateway
 * lists the numbers per day (Twilio's Deactivations API); each day is applied once per gateway, claimed in
 * deactivation_days. A profile first seen after the day is the number's new owner and is left alone.
 */

export interface DeactivationDay {
  day: string;
  /**
   * applied: this call applied it; already_done: an earlier call did (its counts); in_progress: another process is at
   * it; failed: the feed could not be read (or applied), and the day is tried again next time.
   */
  outcome: 'applied' | 'already_done' | 'in_progress' | 'failed';
  numbers: number;
  profilesOptedOut: number;
  error?: string;
}

/** A claim older than this was left by a process that stopped: it may be taken over. */
const STALE_CLAIM_MS = 60 * 60 * 1000;
const CHUNK = 500;
/** The UTC day `days` before the one `now` falls in, as YYYY-MM-DD. */
export function dayBefore(now: Date, days = 1): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10);
}

/** Claims the day for this call: true when it is ours to apply (new, or left running by a process that stopped). */
async function claimDay(database: Database, gateway: string, day: string): Promise<boolean> {
  const now = nowIso();
  const inserted = await database.db
    .insertInto('deactivation_days')
    .values({ gateway, day, status: 'running', started_at: now })
    .onConflict((oc) => oc.columns(['gateway', 'day']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
  const stale = new Date(Date.now() - STALE_CLAIM_MS).toISOString();
  const taken = await database.db
    .updateTable('deactivation_days')
    .set({ started_at: now })
    .where('gateway', '=', gateway)
    .where('day', '=', day)
    .where('status', '=', 'running')
    .where('started_at', '<', stale)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0;
}

/**
 * Applies one day of the gateway's deactivation feed to every company's profiles. A failure to read the feed (or
 * anything else) gives the claim back, so the next run tries the day again; opt-outs already written stay, and
 * writing them again changes nothing.
 */
export async function applyDeactivationDay(database: Database, gateway: SmsGateway, day: string): Promise<DeactivationDay> {
  checkDay(day);
  if (!gateway.deactivatedNumbers) throw invalidInput([{ field: 'gateway', value: gateway.name, message: 'has no deactivation feed (accepted: twilio, simulator)' }]);
  const done = () => database.db.selectFrom('deactivation_days').select(['status', 'numbers', 'profiles_opted_out']).where('gateway', '=', gateway.name).where('day', '=', day).executeTakeFirst();
  if (!(await claimDay(database, gateway.name, day))) {
    const row = await done();
    return { day, outcome: row?.status === 'done' ? 'already_done' : 'in_progress', numbers: row?.numbers ?? 0, profilesOptedOut: row?.profiles_opted_out ?? 0 };
  }
  try {
    const numbers = [...new Set(await gateway.deactivatedNumbers(day))];
    // The number's owner until the end of that day; a profile first seen later is someone the number was given to since.
    const dayEnd = new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 60 * 60 * 1000).toISOString();
    const actor: Actor = { type: 'system', id: null, label: `gateway ${gateway.name} deactivation feed ${day}` };
    let optedOut = 0;
    const companies = await database.db.selectFrom('companies').select('id').orderBy('id').execute();
    for (const { id: companyId } of companies) {
      for (let i = 0; i < numbers.length; i += CHUNK) {
        const profiles = await database.db
          .selectFrom('profiles')
          .select('id')
          .where('company_id', '=', companyId)
          .where('phone_number', 'in', numbers.slice(i, i + CHUNK))
          .where('created_at', '<', dayEnd)
          .execute();
        for (const profile of profiles) {
          const result = await optOutProfile(database, companyId, actor, profile.id, 'Phone was Deactivated');
          if (result.outcome !== 'unchanged') optedOut += 1;
        }
      }
    }
    await database.db
      .updateTable('deactivation_days')
      .set({ status: 'done', numbers: numbers.length, profiles_opted_out: optedOut, finished_at: nowIso() })
      .where('gateway', '=', gateway.name)
      .where('day', '=', day)
      .execute();
    return { day, outcome: 'applied', numbers: numbers.length, profilesOptedOut: optedOut };
  } catch (error) {
    await database.db.deleteFrom('deactivation_days').where('gateway', '=', gateway.name).where('day', '=', day).where('status', '=', 'running').execute();
    throw error;
  }
}

/** The days the feed keeps being read for: the gateway publishes a day's file after it ends, and may be late. */
const DAYS_BACK = 3;

/** Applies the last few finished days not applied yet (the server calls it hourly); answers what each did. */
export async function applyRecentDeactivations(database: Database, gateway: SmsGateway, now: Date = new Date()): Promise<DeactivationDay[]> {
  const results: DeactivationDay[] = [];
  for (let back = DAYS_BACK; back >= 1; back--) {
    const day = dayBefore(now, back);
    try {
      results.push(await applyDeactivationDay(database, gateway, day));
    } catch (error) {
      // One day's file missing (not published yet) must not keep the others from being applied.
      results.push({ day, outcome: 'failed', numbers: 0, profilesOptedOut: 0, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
