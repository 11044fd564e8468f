import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine, freshDatabase } from '../../../test/db.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Actor } from '../audit/audit.js';
import { confirmPending, subscribe, unsubscribe } from '../campaigns/subscriptions.service.js';
import { deriveStatus, deriveStatusFilter, describeStatus, OPT_OUT_REASONS, type OptOutReason } from '../profiles/profile-rules.js';
import { upsertProfiles } from '../profiles/profiles.service.js';
import { blacklistNumber, unblacklistNumber } from './opt-outs.service.js';
import { optOutProfile, resubscribeAfterStop, undoStaffOptOut } from './profile-opt-out.js';

/**
 * DESIGN.md "Derived state is stored, and proven": random sequences of subscribe / confirm / unsubscribe /
 * opt out (every reason) / STOP / START / staff undo / blacklist add and remove / campaign end, over a few
 * profiles and campaigns. After every step each profile's stored status, status filter, description and
 * opted_out_at/source must equal
 *   1. a from-scratch recomputation from the rows (profiles, subscriptions, campaigns, blacklist), counted here in
 *      plain code rather than by the SQL aggregate the service uses; and
 *   2. a reference model of SPEC §3's rules, written here independently of the service.
 */

const ACTOR: Actor = { type: 'system', id: null, label: 'property test' };
const PROFILES = 3;
const CAMPAIGNS = 2;
const PHONES = ['+12025550170', '+12025550171', '+12025550172'];

type Op =
  | { kind: 'subscribe'; p: number; c: number; double: boolean; confirmed: boolean }
  | { kind: 'confirm'; p: number }
  | { kind: 'unsubscribe'; p: number; c: number; by: 'staff' | 'person' }
  | { kind: 'optOut'; p: number; reason: OptOutReason }
  | { kind: 'start'; p: number }
  | { kind: 'staffUndo'; p: number }
  | { kind: 'blacklist'; p: number }
  | { kind: 'unblacklist'; p: number }
  | { kind: 'end'; c: number };

const profile = fc.nat(PROFILES - 1);
const campaign = fc.nat(CAMPAIGNS - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('subscribe' as const), p: profile, c: campaign, double: fc.boolean(), confirmed: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('confirm' as const), p: profile }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), p: profile, c: campaign, by: fc.constantFrom('staff' as const, 'person' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('optOut' as const), p: profile, reason: fc.constantFrom(...OPT_OUT_REASONS) }), weight: 3 },
  // STOP and hard bounce again on their own, as the inbound and delivery paths will send them.
  { arbitrary: fc.record({ kind: fc.constant('optOut' as const), p: profile, reason: fc.constantFrom<OptOutReason>('Texted a STOP word', 'Hard Bounce') }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('start' as const), p: profile }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('staffUndo' as const), p: profile }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('blacklist' as const), p: profile }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('unblacklist' as const), p: profile }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('end' as const), c: campaign }), weight: 1 },
);

// ---- The reference model: SPEC §3 as plain state, independent of the service ----

interface ModelSub { status: 'pending' | 'active' | 'opted_out' | 'removed'; activated: boolean; withProfile: boolean }
interface Model {
  optOut: Array<{ at: string; reason: string } | null>;
  subs: Array<Map<number, ModelSub>>;
  ended: boolean[];
  blacklisted: boolean[];
}

const STAFF = new Set<string>(['Opt-out from profile', 'Opt-out from Inbox', 'Manual Opt-Out']);
const firmness = (reason: string) => (STAFF.has(reason) ? 1 : reason === 'Blacklisted' ? 2 : 3);

function modelOptOut(m: Model, p: number, reason: string, at: string): void {
  const current = m.optOut[p];
  if (!current) {
    m.optOut[p] = { at, reason };
    for (const s of m.subs[p]!.values()) if (s.status === 'active' || s.status === 'pending') Object.assign(s, { status: 'opted_out', withProfile: true });
  } else if (firmness(reason) > firmness(current.reason)) {
    m.optOut[p] = { at, reason };
  }
}

function modelLift(m: Model, p: number, at: string): void {
  if (m.blacklisted[p]) {
    m.optOut[p] = { at, reason: 'Blacklisted' };
    return;
  }
  m.optOut[p] = null;
  for (const s of m.subs[p]!.values()) if (s.withProfile) Object.assign(s, { status: s.activated ? 'active' : 'pending', withProfile: false });
}

/** What the model expects to happen: 'conflict' / 'not_found' when the service must refuse, else nothing. */
function applyToModel(m: Model, o: Op, at: string): 'conflict' | 'not_found' | undefined {
  switch (o.kind) {
    case 'subscribe': {
      if (m.ended[o.c]) return 'conflict';
      if (m.subs[o.p]!.has(o.c) || m.optOut[o.p]) return undefined;
      const active = !o.double || o.confirmed;
      m.subs[o.p]!.set(o.c, { status: active ? 'active' : 'pending', activated: active, withProfile: false });
      return undefined;
    }
    case 'confirm':
      if (m.optOut[o.p]) return undefined;
      for (const [c, s] of m.subs[o.p]!) if (s.status === 'pending' && !m.ended[c]) Object.assign(s, { status: 'active', activated: true });
      return undefined;
    case 'unsubscribe': {
      const s = m.subs[o.p]!.get(o.c);
      if (!s) return 'not_found';
      if (s.status === 'active' || s.status === 'pending') s.status = o.by === 'staff' ? 'removed' : 'opted_out';
      return undefined;
    }
    case 'optOut':
      modelOptOut(m, o.p, o.reason, at);
      return undefined;
    case 'start':
      if (m.optOut[o.p]?.reason === 'Texted a STOP word') modelLift(m, o.p, at);
      return undefined;
    case 'staffUndo': {
      const reason = m.optOut[o.p]?.reason;
      // Staff lift their own opt-outs, and a blacklisting whose number is not on the blacklist (any more).
      if (!reason || !(STAFF.has(reason) || (reason === 'Blacklisted' && !m.blacklisted[o.p]))) return 'conflict';
      modelLift(m, o.p, at);
      return undefined;
    }
    case 'blacklist':
      if (m.blacklisted[o.p]) return undefined;
      m.blacklisted[o.p] = true;
      modelOptOut(m, o.p, 'Blacklisted', at);
      return undefined;
    case 'unblacklist':
      if (!m.blacklisted[o.p]) return 'not_found';
      m.blacklisted[o.p] = false;
      if (m.optOut[o.p]?.reason === 'Blacklisted') modelLift(m, o.p, at);
      return undefined;
    case 'end':
      m.ended[o.c] = true;
      return undefined;
  }
}

function modelStatus(m: Model, p: number): { status: string; status_filter: string } {
  if (m.optOut[p]) return { status: 'Opted Out', status_filter: 'opted_out' };
  const subs = [...m.subs[p]!.entries()];
  const status = subs.some(([, s]) => s.status === 'active') ? 'Active Subscriber' : subs.some(([, s]) => s.activated) ? 'Former Subscriber' : 'No Subscriptions';
  const onActive = subs.filter(([c]) => !m.ended[c]).map(([, s]) => s);
  const filter = onActive.some((s) => s.status === 'active') ? 'active' : onActive.some((s) => s.activated) ? 'former' : 'none';
  return { status, status_filter: filter };
}

describeEachEngine('subscription status, description and opt-outs after random operations', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(engine);
  });

  /** A company of its own per run: three profiles, two active campaigns, each with a single and a double opt-in path. */
  async function world() {
    const now = new Date().toISOString();
    const company = await database.db.insertInto('companies').values({ name: 'property', default_country: 'US', gender_options: '[]', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    const companyId = company.id;
    const results = await upsertProfiles(database, companyId, ACTOR, PHONES.map((phone_number) => ({ phone_number })), { sourceType: 'API', sourceName: null });
    const profiles = results.map((r) => (r.outcome === 'created' ? r.profileId : Number.NaN));
    const campaigns: number[] = [];
    const paths: Array<{ single: number; double: number }> = [];
    for (let c = 0; c < CAMPAIGNS; c++) {
      const row = await database.db.insertInto('campaigns').values({ company_id: companyId, name: `C${c}`, description: null, status: 'active', created_at: now, updated_at: now, ended_at: null }).returning('id').executeTakeFirstOrThrow();
      campaigns.push(row.id);
      const path = (double: number) => database.db.insertInto('opt_in_paths').values({ company_id: companyId, campaign_id: row.id, name: `P${c}${double}`, double_opt_in: double, welcome_message: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      paths.push({ single: (await path(0)).id, double: (await path(1)).id });
    }
    return { companyId, profiles, campaigns, paths };
  }

  async function run(w: Awaited<ReturnType<typeof world>>, o: Op, at: string): Promise<void> {
    const { companyId } = w;
    const pid = 'p' in o ? w.profiles[o.p]! : 0;
    switch (o.kind) {
      case 'subscribe':
        await subscribe(database, companyId, ACTOR, { profileId: pid, campaignId: w.campaigns[o.c]!, optInPathId: o.double ? w.paths[o.c]!.double : w.paths[o.c]!.single, confirmed: o.confirmed, at });
        return;
      case 'confirm':
        await confirmPending(database, companyId, ACTOR, { profileId: pid, at });
        return;
      case 'unsubscribe':
        await unsubscribe(database, companyId, ACTOR, { profileId: pid, campaignId: w.campaigns[o.c]!, by: o.by, at });
        return;
      case 'optOut':
        await optOutProfile(database, companyId, ACTOR, pid, o.reason, at);
        return;
      case 'start':
        await resubscribeAfterStop(database, companyId, ACTOR, pid, at);
        return;
      case 'staffUndo':
        await undoStaffOptOut(database, companyId, ACTOR, pid, at);
        return;
      case 'blacklist':
        await blacklistNumber(database, companyId, ACTOR, { phoneNumber: PHONES[o.p]!, at });
        return;
      case 'unblacklist': {
        const entry = await database.db.selectFrom('blacklisted_numbers').select('id').where('company_id', '=', companyId).where('phone_number', '=', PHONES[o.p]!).executeTakeFirst();
        if (!entry) throw new AppError('not_found', 'Blacklist entry not found');
        await unblacklistNumber(database, companyId, ACTOR, entry.id, at);
        return;
      }
      case 'end': {
        // The service's endCampaign takes an AuthContext; the engine part it runs is the same.
        const { endCampaign } = await import('../campaigns/campaigns.service.js');
        await endCampaign(database, { companyId, role: 'admin', actor: ACTOR, via: 'api_key' }, w.campaigns[o.c]!);
        return;
      }
    }
  }

  /** Every profile's state recomputed from the rows alone: counted in plain code, the rules applied. */
  async function recompute(companyId: number) {
    const [profiles, subs, campaigns, blacklist] = await Promise.all([
      database.db.selectFrom('profiles').select(['id', 'phone_number', 'opted_out_at', 'opted_out_source', 'status', 'status_filter']).where('company_id', '=', companyId).orderBy('id').execute(),
      database.db.selectFrom('subscriptions').select(['profile_id', 'campaign_id', 'status', 'activated_at', 'opted_out_with_profile']).where('company_id', '=', companyId).execute(),
      database.db.selectFrom('campaigns').select(['id', 'status']).where('company_id', '=', companyId).execute(),
      database.db.selectFrom('blacklisted_numbers').select('phone_number').where('company_id', '=', companyId).execute(),
    ]);
    const campaignActive = new Map(campaigns.map((c) => [c.id, c.status === 'active']));
    const listed = new Set(blacklist.map((b) => b.phone_number));
    return profiles.map((p) => {
      const own = subs.filter((s) => s.profile_id === p.id);
      const count = (test: (s: (typeof own)[number]) => boolean) => own.filter(test).length;
      const phoneValid = p.phone_number !== null;
      const status = deriveStatus({ phoneValid, optedOutAt: p.opted_out_at, activeSubscriptions: count((s) => s.status === 'active'), anySubscriptions: count((s) => s.activated_at !== null), crmMatched: false });
      const statusFilter = deriveStatusFilter({
        phoneValid,
        optedOutAt: p.opted_out_at,
        activeOnActiveCampaigns: count((s) => s.status === 'active' && campaignActive.get(s.campaign_id)!),
        formerOnActiveCampaigns: count((s) => s.status !== 'active' && s.activated_at !== null && campaignActive.get(s.campaign_id)!),
      });
      return { stored: p, expected: { status, status_filter: statusFilter }, subs: own, blacklisted: listed.has(p.phone_number ?? '') };
    });
  }

  async function check(w: Awaited<ReturnType<typeof world>>, m: Model, trail: string): Promise<void> {
    const rows = await recompute(w.companyId);
    for (const [p, row] of rows.entries()) {
      const where = `profile ${p} after ${trail}`;
      const { stored } = row;
      // 1. The stored columns equal the recomputation from the rows.
      expect({ status: stored.status, status_filter: stored.status_filter }, where).toEqual(row.expected);
      expect(describeStatus(stored.status, stored.opted_out_source), where).toBe(stored.opted_out_at ? `Undeliverable - ${stored.opted_out_source}` : null);
      expect(stored.opted_out_at === null, where).toBe(stored.opted_out_source === null);
      // Opted out means no live subscription; a blacklisted number is always opted out.
      if (stored.opted_out_at) expect(row.subs.filter((s) => s.status === 'active' || s.status === 'pending'), where).toEqual([]);
      if (row.blacklisted) expect(stored.opted_out_at, where).not.toBeNull();
      // 2. And the reference model of the rules.
      expect({ status: stored.status, status_filter: stored.status_filter }, where).toEqual(modelStatus(m, p));
      expect(stored.opted_out_at ? { at: stored.opted_out_at, reason: stored.opted_out_source } : null, where).toEqual(m.optOut[p]);
      const subs = Object.fromEntries(row.subs.map((s) => [w.campaigns.indexOf(s.campaign_id), { status: s.status, activated: s.activated_at !== null, withProfile: s.opted_out_with_profile === 1 }]));
      expect(subs, where).toEqual(Object.fromEntries(m.subs[p]!));
    }
  }

  it('keeps every stored status equal to a from-scratch recomputation and to the rules', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const w = await world();
        const m: Model = { optOut: Array(PROFILES).fill(null), subs: Array.from({ length: PROFILES }, () => new Map()), ended: Array(CAMPAIGNS).fill(false), blacklisted: Array(PROFILES).fill(false) };
        const base = Date.parse('2025-03-01T00:00:00.000Z');
        for (const [i, o] of ops.entries()) {
          const at = new Date(base + i * 60_000).toISOString();
          const expected = applyToModel(m, o, at);
          const trail = JSON.stringify(ops.slice(0, i + 1));
          try {
            await run(w, o, at);
            expect(expected, `${trail}: the service did it`).toBeUndefined();
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            expect(error.code, `${trail}: ${error.message}`).toBe(expected);
          }
          await check(w, m, trail);
        }
      }),
      { numRuns: engine === 'postgres' ? 40 : 300 },
    );
  }, 300_000);

  it('keeps every stored status equal to a recomputation when the same operations run at once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const w = await world();
        const base = Date.parse('2025-03-01T00:00:00.000Z');
        // On PostgreSQL these really overlap (the pool has several connections): row locks must keep them consistent and free of deadlocks.
        const outcomes = await Promise.allSettled(ops.map((o, i) => run(w, o, new Date(base + i * 60_000).toISOString())));
        for (const outcome of outcomes) if (outcome.status === 'rejected' && !(outcome.reason instanceof AppError)) throw outcome.reason;
        for (const [p, row] of (await recompute(w.companyId)).entries()) {
          const where = `profile ${p} after ${JSON.stringify(ops)}`;
          expect({ status: row.stored.status, status_filter: row.stored.status_filter }, where).toEqual(row.expected);
          if (row.stored.opted_out_at) expect(row.subs.filter((s) => s.status === 'active' || s.status === 'pending'), where).toEqual([]);
          else expect(row.subs.filter((s) => s.opted_out_with_profile === 1), where).toEqual([]);
          if (row.blacklisted) expect(row.stored.opted_out_at, where).not.toBeNull();
        }
      }),
      { numRuns: engine === 'postgres' ? 25 : 50 },
    );
  }, 300_000);
});
