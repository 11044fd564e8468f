import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { type Actor, SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { optOutProfile, resubscribeAfterStop, lockForSend } from '../../src/features/opt-outs/profile-opt-out.js';
import { OPT_OUT_REASONS, type OptOutReason } from '../../src/features/profiles/profile-rules.js';
import { tombstoneHash } from '../../src/features/profiles/profiles.service.js';

/** Profile-level opt-outs, lifting them, the blacklist and Manual Opt-Out of numbers (SPEC §3). */

const INBOUND: Actor = { type: 'system', id: null, label: 'inbound SMS' };
const AT = '2025-01-02T03:04:05.000Z';

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
  return body.error as { code: string; message: string; details: Record<string, unknown> & { fields?: Array<{ field: string; value?: unknown }> } };
}

describeEachEngine('opt-outs', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let campaignId: number;
  let line = 0;

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, key = a.apiKey) => t.call(key, method, url, body);
  async function ok(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, status = 200, key = a.apiKey) {
    const res = await call(method, url, body, key);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.statusCode === 204 ? null : res.json();
  }
  const nextPhone = () => `+1415555${String(2000 + ++line).slice(-4)}`;
  async function newProfile(phone = nextPhone(), key = a.apiKey): Promise<{ id: number; phone: string }> {
    const res = await t.call(key, 'POST', '/api/v1/profiles', { phone_number: phone });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id, phone };
  }
  /** A profile with an active subscription to the test campaign. */
  async function subscriber(): Promise<{ id: number; phone: string }> {
    const p = await newProfile();
    expect((await call('POST', `/api/v1/campaigns/${campaignId}/subscriptions`, { profile_id: p.id })).statusCode).toBe(201);
    return p;
  }
  const profile = (id: number, key = a.apiKey) => ok('GET', `/api/v1/profiles/${id}`, undefined, 200, key);
  async function audit(entityType: string, entityId: number | string) {
    return ((await ok('GET', `/api/v1/audit-log?entity_type=${entityType}&entity_id=${entityId}&limit=100`)).data as Array<{ action: string; actor: { label: string }; changes: Record<string, { before: unknown; after: unknown }> }>).reverse();
  }

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Opt-outs A');
    campaignId = (await ok('POST', '/api/v1/campaigns', { name: 'Main' }, 201)).id;
  });

  describe('profile-level opt-out', () => {
    it('staff opt a profile out of everything at once: status, description, date, reason and its subscriptions', async () => {
      const p = await subscriber();
      const second = (await ok('POST', '/api/v1/campaigns', { name: 'Second' }, 201)).id;
      await ok('POST', `/api/v1/campaigns/${second}/subscriptions`, { profile_id: p.id }, 201);
      const view = await ok('POST', `/api/v1/profiles/${p.id}/opt-out`);
      expect(view).toMatchObject({ status: 'Opted Out', description: 'Undeliverable - Opt-out from profile', opted_out_at: expect.any(String), opted_out_source: 'Opt-out from profile' });
      expect(view.subscriptions).toHaveLength(2);
      for (const s of view.subscriptions) expect(s).toMatchObject({ status: 'opted_out', opted_out_at: view.opted_out_at, opt_out_source: 'Opt-out from profile' });
      expect(await profile(p.id)).toEqual(view);
      const entries = await audit('profile', p.id);
      expect(entries.at(-1)).toMatchObject({
        action: 'profile.opted_out',
        changes: {
          opted_out_at: { before: null, after: view.opted_out_at },
          opted_out_source: { before: null, after: 'Opt-out from profile' },
          status: { before: 'Active Subscriber', after: 'Opted Out' },
          subscriptions_opted_out: { before: 0, after: 2 },
        },
      });
      expect((await audit('subscription', view.subscriptions[0].id)).map((e) => e.action)).toEqual(['subscription.created', 'subscription.opted_out']);
    });

    it('takes the staff reasons, and no other', async () => {
      for (const reason of ['Opt-out from Inbox', 'Manual Opt-Out']) {
        const p = await newProfile();
        expect(await ok('POST', `/api/v1/profiles/${p.id}/opt-out`, { reason })).toMatchObject({ opted_out_source: reason, description: `Undeliverable - ${reason}` });
      }
      const p = await newProfile();
      for (const reason of ['Texted a STOP word', 'Hard Bounce', 'Phone was Deactivated', 'Blacklisted', 'opt-out from profile', '']) {
        const error = expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-out`, { reason }), 422, 'invalid_input');
        expect(error.details.fields).toEqual([expect.objectContaining({ field: 'reason', value: reason })]);
        expect(error.message).toContain('Opt-out from profile, Opt-out from Inbox, Manual Opt-Out');
      }
      expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-out`, { reason: 'Manual Opt-Out', when: 'now' }), 422, 'invalid_input');
      expect(await profile(p.id)).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
      expectError(await call('POST', '/api/v1/profiles/99999999/opt-out'), 404, 'not_found');
    });

    it('viewers cannot opt out or opt in', async () => {
      const viewer = (await ok('POST', '/api/v1/api-keys', { name: 'viewer', role: 'viewer' }, 201)).key as string;
      const p = await newProfile();
      expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-out`, {}, viewer), 403, 'forbidden');
      expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-in-again`, undefined, viewer), 403, 'forbidden');
    });

    it.each(OPT_OUT_REASONS)('%s gives its exact description', async (reason) => {
      const p = await newProfile();
      await optOutProfile(t.database, a.companyId, SYSTEM_ACTOR, p.id, reason, AT);
      expect(await profile(p.id)).toMatchObject({ status: 'Opted Out', opted_out_at: AT, opted_out_source: reason, description: `Undeliverable - ${reason}` });
    });

    it('a second opt-out keeps the first, unless it is one staff could not undo (a STOP after a staff opt-out)', async () => {
      const p = await subscriber();
      await ok('POST', `/api/v1/profiles/${p.id}/opt-out`, { reason: 'Manual Opt-Out' });
      const first = await profile(p.id);
      expect(await optOutProfile(t.database, a.companyId, SYSTEM_ACTOR, p.id, 'Opt-out from Inbox', AT)).toMatchObject({ outcome: 'unchanged', optedOutSource: 'Manual Opt-Out' });
      expect(await profile(p.id)).toEqual(first);
      expect(await optOutProfile(t.database, a.companyId, INBOUND, p.id, 'Texted a STOP word', AT)).toMatchObject({ outcome: 'reason_changed', optedOutAt: AT, optedOutSource: 'Texted a STOP word' });
      expect(await profile(p.id)).toMatchObject({ opted_out_at: AT, opted_out_source: 'Texted a STOP word', description: 'Undeliverable - Texted a STOP word' });
      // Now staff cannot undo it, and a later staff opt-out does not hide it.
      expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-in-again`), 409, 'conflict');
      await ok('POST', `/api/v1/profiles/${p.id}/opt-out`, { reason: 'Opt-out from profile' });
      expect(await profile(p.id)).toMatchObject({ opted_out_source: 'Texted a STOP word' });
    });
  });

  describe('lifting an opt-out', () => {
    it('staff undo their own manual opt-out: the subscriptions it ended come back', async () => {
      const p = await subscriber();
      const pendingCampaign = (await ok('POST', '/api/v1/campaigns', { name: 'Pending one' }, 201)).id;
      const path = (await ok('POST', `/api/v1/campaigns/${pendingCampaign}/opt-in-paths`, { name: 'Double', double_opt_in: true }, 201)).id;
      await ok('POST', `/api/v1/campaigns/${pendingCampaign}/subscriptions`, { profile_id: p.id, opt_in_path_id: path }, 201);
      const before = await profile(p.id);
      for (const reason of ['Opt-out from profile', 'Opt-out from Inbox', 'Manual Opt-Out']) {
        await ok('POST', `/api/v1/profiles/${p.id}/opt-out`, { reason });
        expect((await profile(p.id)).subscriptions.map((s: { status: string }) => s.status)).toEqual(['opted_out', 'opted_out']);
        const back = await ok('POST', `/api/v1/profiles/${p.id}/opt-in-again`);
        expect(back).toMatchObject({ status: 'Active Subscriber', description: null, opted_out_at: null, opted_out_source: null });
        expect(back.subscriptions.map((s: { status: string; activated_at: string | null; opt_out_source: string | null }) => [s.status, s.activated_at, s.opt_out_source]))
          .toEqual(before.subscriptions.map((s: { status: string; activated_at: string | null }) => [s.status, s.activated_at, null]));
      }
      expect((await audit('profile', p.id)).at(-1)).toMatchObject({ action: 'profile.opted_in', changes: { lifted_by: { before: null, after: 'staff' }, subscriptions_restored: { before: 0, after: 2 } } });
    });

    it('staff can never undo a STOP, a Hard Bounce or a deactivation, and are told why; a blacklisting is undone on the blacklist', async () => {
      const cases: Array<[OptOutReason, RegExp]> = [
        ['Texted a STOP word', /texted a STOP word.*staff can never undo.*START/],
        ['Hard Bounce', /Hard Bounce.*nobody can undo/],
        ['Phone was Deactivated', /Phone was Deactivated.*nobody can undo/],
        ['Blacklisted', /Blacklisted.*remove the number from the blacklist/],
      ];
      for (const [reason, message] of cases) {
        const p = await subscriber();
        if (reason === 'Blacklisted') await ok('POST', '/api/v1/blacklist', { phone_number: p.phone }, 201);
        else await optOutProfile(t.database, a.companyId, SYSTEM_ACTOR, p.id, reason, AT);
        const before = await profile(p.id);
        const error = expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-in-again`), 409, 'conflict');
        expect(error.message).toMatch(message);
        expect(error.details).toMatchObject({ profile_id: p.id, opted_out_source: reason });
        expect(await profile(p.id)).toEqual(before);
      }
      const never = await newProfile();
      expect(expectError(await call('POST', `/api/v1/profiles/${never.id}/opt-in-again`), 409, 'conflict').message).toContain('not opted out');
    });

    it('START after the person\'s own STOP re-subscribes them; after anything else it does nothing', async () => {
      const p = await subscriber();
      await optOutProfile(t.database, a.companyId, INBOUND, p.id, 'Texted a STOP word', AT);
      expect(await profile(p.id)).toMatchObject({ status: 'Opted Out', subscriptions: [{ status: 'opted_out', opt_out_source: 'Texted a STOP word', opted_out_at: AT }] });
      expect(await resubscribeAfterStop(t.database, a.companyId, INBOUND, p.id)).toEqual({ outcome: 'opted_in', profileId: p.id, subscriptionsRestored: 1 });
      expect(await profile(p.id)).toMatchObject({ status: 'Active Subscriber', opted_out_at: null, opted_out_source: null, subscriptions: [{ status: 'active', opted_out_at: null }] });
      expect(await resubscribeAfterStop(t.database, a.companyId, INBOUND, p.id)).toMatchObject({ outcome: 'not_stopped' });

      for (const reason of ['Hard Bounce', 'Phone was Deactivated', 'Opt-out from profile', 'Manual Opt-Out', 'Blacklisted'] as const) {
        const q = await subscriber();
        await optOutProfile(t.database, a.companyId, SYSTEM_ACTOR, q.id, reason, AT);
        const before = await profile(q.id);
        expect(await resubscribeAfterStop(t.database, a.companyId, INBOUND, q.id), reason).toMatchObject({ outcome: 'not_stopped' });
        expect(await profile(q.id)).toEqual(before);
      }
    });

    it('a STOP on a blacklisted number, then START: still out, now as Blacklisted', async () => {
      const p = await subscriber();
      await ok('POST', '/api/v1/blacklist', { phone_number: p.phone }, 201);
      await optOutProfile(t.database, a.companyId, INBOUND, p.id, 'Texted a STOP word', AT);
      expect(await profile(p.id)).toMatchObject({ opted_out_source: 'Texted a STOP word' });
      expect(await resubscribeAfterStop(t.database, a.companyId, INBOUND, p.id)).toMatchObject({ outcome: 'blacklisted' });
      expect(await profile(p.id)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Blacklisted', subscriptions: [{ status: 'opted_out' }] });
    });

    it('the send check refuses an opted-out or invalid profile and lets a subscriber through', async () => {
      const p = await subscriber();
      const check = () => t.database.db.transaction().execute((trx) => lockForSend({ db: trx, engine: t.database.engine }, a.companyId, p.id));
      expect(await check()).toBeNull();
      await optOutProfile(t.database, a.companyId, INBOUND, p.id, 'Texted a STOP word', AT);
      expect(await check()).toBe('Undeliverable - Texted a STOP word');
    });
  });

  describe('blacklist', () => {
    it('blacklisting opts the number\'s profile out (admin only), and a later profile for it starts opted out', async () => {
      const editor = (await ok('POST', '/api/v1/api-keys', { name: 'editor', role: 'editor' }, 201)).key as string;
      const p = await subscriber();
      const written = `(415) 555-${p.phone.slice(-4)}`;
      expectError(await call('POST', '/api/v1/blacklist', { phone_number: written }, editor), 403, 'forbidden');
      const added = await ok('POST', '/api/v1/blacklist', { phone_number: written, note: 'abusive' }, 201);
      expect(added).toEqual({ entry: { id: expect.any(Number), phone_number: p.phone, note: 'abusive', created_by: expect.any(String), created_at: expect.any(String) }, profile_id: p.id });
      expect(await profile(p.id)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Blacklisted', description: 'Undeliverable - Blacklisted', subscriptions: [{ status: 'opted_out', opt_out_source: 'Blacklisted' }] });
      const again = await ok('POST', '/api/v1/blacklist', { phone_number: p.phone });
      expect(again).toEqual({ entry: added.entry, profile_id: p.id });
      expect(await ok('GET', `/api/v1/blacklist/${added.entry.id}`, undefined, 200, editor)).toEqual(added.entry);
      expect((await audit('blacklist', added.entry.id)).map((e) => e.action)).toEqual(['blacklist.added']);

      const future = nextPhone();
      const entry = (await ok('POST', '/api/v1/blacklist', { phone_number: future }, 201)).entry;
      expect(entry.phone_number).toBe(future);
      const created = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: future, first_name: 'Later' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ status: 'Opted Out', opted_out_source: 'Blacklisted', description: 'Undeliverable - Blacklisted' });
      const subscribe = await call('POST', `/api/v1/campaigns/${campaignId}/subscriptions`, { profile_id: created.json().id });
      expect(subscribe.json()).toEqual({ outcome: 'profile_opted_out', subscription: null });
      const filtered = await ok('GET', `/api/v1/profiles?subscription_status=opted_out&undeliverable_reason=Blacklisted&per_page=250`);
      expect(filtered.data.map((x: { id: number }) => x.id)).toEqual(expect.arrayContaining([p.id, created.json().id]));
    });

    it('moving a profile onto a blacklisted number opts it out and ends its subscriptions', async () => {
      const p = await subscriber();
      const listed = nextPhone();
      await ok('POST', '/api/v1/blacklist', { phone_number: listed }, 201);
      const moved = await ok('PATCH', `/api/v1/profiles/${p.id}`, { phone_number: listed });
      expect(moved).toMatchObject({ phone_number: listed, status: 'Opted Out', opted_out_source: 'Blacklisted', subscriptions: [{ status: 'opted_out', opt_out_source: 'Blacklisted' }] });
    });

    it('a profile blacklisted under an old number can be opted in by staff once its number is not on the list', async () => {
      const p = await subscriber();
      await ok('POST', '/api/v1/blacklist', { phone_number: p.phone }, 201);
      expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-in-again`), 409, 'conflict');
      const moved = await ok('PATCH', `/api/v1/profiles/${p.id}`, { phone_number: nextPhone() });
      expect(moved).toMatchObject({ status: 'Opted Out', opted_out_source: 'Blacklisted' });
      expect(await ok('POST', `/api/v1/profiles/${p.id}/opt-in-again`)).toMatchObject({ status: 'Active Subscriber', opted_out_at: null, subscriptions: [{ status: 'active' }] });
      // The old number keeps its opt-out for whoever has it next.
      expect((await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: p.phone })).json()).toMatchObject({ status: 'Opted Out', opted_out_source: 'Blacklisted' });
    });

    it('taking a number off opts in a profile that was out only for that, with its subscriptions', async () => {
      const p = await subscriber();
      const { entry } = await ok('POST', '/api/v1/blacklist', { phone_number: p.phone }, 201);
      await ok('DELETE', `/api/v1/blacklist/${entry.id}`, undefined, 204);
      expect(await profile(p.id)).toMatchObject({ status: 'Active Subscriber', opted_out_at: null, subscriptions: [{ status: 'active' }] });
      expect((await audit('blacklist', entry.id)).map((e) => e.action)).toEqual(['blacklist.added', 'blacklist.removed']);
      expect((await audit('profile', p.id)).at(-1)).toMatchObject({ action: 'profile.opted_in', changes: { lifted_by: { after: 'blacklist removal' } } });
      expectError(await call('DELETE', `/api/v1/blacklist/${entry.id}`), 404, 'not_found');

      // A STOP stays a STOP when the number comes off the blacklist.
      const q = await subscriber();
      await optOutProfile(t.database, a.companyId, INBOUND, q.id, 'Texted a STOP word', AT);
      const second = (await ok('POST', '/api/v1/blacklist', { phone_number: q.phone }, 201)).entry;
      expect(await profile(q.id)).toMatchObject({ opted_out_source: 'Texted a STOP word' });
      await ok('DELETE', `/api/v1/blacklist/${second.id}`, undefined, 204);
      expect(await profile(q.id)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Texted a STOP word' });
    });

    it('lists the blacklist newest first in pages, and refuses bad numbers', async () => {
      const c = await t.company('Blacklist pages');
      const numbers = ['+12025550191', '+12025550192', '+12025550193'];
      for (const n of numbers) await ok('POST', '/api/v1/blacklist', { phone_number: n }, 201, c.apiKey);
      const page = await ok('GET', '/api/v1/blacklist?per_page=2', undefined, 200, c.apiKey);
      expect(page).toMatchObject({ page: 1, per_page: 2, total: 3 });
      expect(page.data.map((e: { phone_number: string }) => e.phone_number)).toEqual(['+12025550193', '+12025550192']);
      expect((await ok('GET', '/api/v1/blacklist?per_page=2&page=2', undefined, 200, c.apiKey)).data.map((e: { phone_number: string }) => e.phone_number)).toEqual(['+12025550191']);
      const error = expectError(await call('POST', '/api/v1/blacklist', { phone_number: '1 Main Street' }, c.apiKey), 422, 'invalid_input');
      expect(error.details.fields).toEqual([expect.objectContaining({ field: 'phone_number', value: '1 Main Street' })]);
      expectError(await call('POST', '/api/v1/blacklist', { phone: '+12025550194' }, c.apiKey), 422, 'invalid_input');
      expectError(await call('GET', '/api/v1/blacklist?per_page=1000', undefined, c.apiKey), 422, 'invalid_input');
    });
  });

  describe('Manual Opt-Out of numbers', () => {
    it('opts out each number\'s profile, records numbers without one, and reports every number', async () => {
      const known = await subscriber();
      const already = await newProfile();
      await optOutProfile(t.database, a.companyId, INBOUND, already.id, 'Texted a STOP word', AT);
      const unknown = nextPhone();
      const countProfiles = async () => Number((await t.database.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', a.companyId).executeTakeFirstOrThrow()).n);
      const before = await countProfiles();
      const res = await ok('POST', '/api/v1/opt-outs', { phone_numbers: [known.phone.slice(2), already.phone, unknown, 'not a number', unknown] });
      expect(res.data).toEqual([
        { phone_number: known.phone.slice(2), outcome: 'opted_out', e164: known.phone, profile_id: known.id, message: null },
        { phone_number: already.phone, outcome: 'already_opted_out', e164: already.phone, profile_id: already.id, message: null },
        { phone_number: unknown, outcome: 'suppressed', e164: unknown, profile_id: null, message: null },
        { phone_number: 'not a number', outcome: 'rejected', e164: null, profile_id: null, message: expect.stringContaining('contains letters') },
        { phone_number: unknown, outcome: 'already_opted_out', e164: unknown, profile_id: null, message: null },
      ]);
      expect(await countProfiles()).toBe(before);
      expect(await profile(known.id)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Manual Opt-Out', subscriptions: [{ status: 'opted_out', opt_out_source: 'Manual Opt-Out' }] });
      expect(await profile(already.id)).toMatchObject({ opted_out_source: 'Texted a STOP word' });
      // The unknown number is kept only hashed, and a profile created for it later starts opted out; staff may undo that one.
      const tombstones = await t.database.db.selectFrom('profile_tombstones').selectAll().where('company_id', '=', a.companyId).execute();
      expect(tombstones.find((r) => r.phone_hash === tombstoneHash(a.companyId, unknown))).toMatchObject({ opted_out_source: 'Manual Opt-Out' });
      expect(JSON.stringify(tombstones)).not.toContain(unknown.slice(2));
      expect((await audit('phone_hash', tombstoneHash(a.companyId, unknown))).map((e) => e.action)).toEqual(['number.suppressed']);
      const later = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: unknown });
      expect(later.json()).toMatchObject({ status: 'Opted Out', opted_out_source: 'Manual Opt-Out', description: 'Undeliverable - Manual Opt-Out' });
      expect(await ok('POST', `/api/v1/profiles/${later.json().id}/opt-in-again`)).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
      // Undone, the suppression does not come back if the profile is deleted and made again.
      await ok('DELETE', `/api/v1/profiles/${later.json().id}`, undefined, 204);
      expect((await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: unknown })).json()).toMatchObject({ status: 'No Subscriptions' });
    });

    it('refuses an empty list, too many numbers and a bad body', async () => {
      expectError(await call('POST', '/api/v1/opt-outs', { phone_numbers: [] }), 422, 'invalid_input');
      expectError(await call('POST', '/api/v1/opt-outs', { phone_numbers: Array.from({ length: 1001 }, (_, i) => `+1202555${String(i).padStart(4, '0')}`) }), 422, 'invalid_input');
      expectError(await call('POST', '/api/v1/opt-outs', { phone_numbers: '+12025550100' }), 422, 'invalid_input');
      expectError(await call('POST', '/api/v1/opt-outs', {}), 422, 'invalid_input');
    });
  });

  describe('tenancy', () => {
    it('another company\'s profiles and blacklist entries are 404; its numbers are untouched by our opt-outs', async () => {
      const B = await t.company('Opt-outs B');
      const shared = nextPhone();
      const bProfile = await newProfile(shared, B.apiKey);
      const bEntry = (await ok('POST', '/api/v1/blacklist', { phone_number: nextPhone() }, 201, B.apiKey)).entry;
      const before = { profile: await profile(bProfile.id, B.apiKey), list: await ok('GET', '/api/v1/blacklist', undefined, 200, B.apiKey) };
      for (const [method, url] of [['POST', `/api/v1/profiles/${bProfile.id}/opt-out`], ['POST', `/api/v1/profiles/${bProfile.id}/opt-in-again`], ['GET', `/api/v1/blacklist/${bEntry.id}`], ['DELETE', `/api/v1/blacklist/${bEntry.id}`]] as const) {
        expectError(await call(method, url, method === 'POST' && url.endsWith('opt-out') ? {} : undefined), 404, 'not_found');
      }
      // A's Manual Opt-Out and blacklist of the same number do not reach B's profile.
      expect((await ok('POST', '/api/v1/opt-outs', { phone_numbers: [shared] })).data[0]).toMatchObject({ outcome: 'suppressed', profile_id: null });
      const aEntry = (await ok('POST', '/api/v1/blacklist', { phone_number: shared }, 201)).entry;
      expect((await ok('GET', '/api/v1/blacklist?per_page=250')).data.map((e: { id: number }) => e.id)).not.toContain(bEntry.id);
      expect((await ok('GET', '/api/v1/blacklist?per_page=250')).data.map((e: { id: number }) => e.id)).toContain(aEntry.id);
      expect(await profile(bProfile.id, B.apiKey)).toEqual(before.profile);
      expect(await ok('GET', '/api/v1/blacklist', undefined, 200, B.apiKey)).toEqual(before.list);
    });
  });
});
