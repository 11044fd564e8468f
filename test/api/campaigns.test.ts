import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { findOptInPathByKeyword } from '../../src/features/campaigns/campaigns.service.js';
import { confirmPending, unsubscribe } from '../../src/features/campaigns/subscriptions.service.js';
import { optOutProfile } from '../../src/features/opt-outs/profile-opt-out.js';

/** Campaigns, opt-in paths and subscriptions through the API (SPEC §3), and what they do to the profile's status. */

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
  return body.error as { code: string; message: string; details: { fields?: Array<{ field: string; value?: unknown; message: string }> } & Record<string, unknown> };
}

describeEachEngine('campaigns, opt-in paths and subscriptions', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let phoneCounter = 0;

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, key = a.apiKey) => t.call(key, method, url, body);
  async function ok(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, status = method === 'POST' ? 201 : 200, key = a.apiKey) {
    const res = await call(method, url, body, key);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.statusCode === 204 ? null : res.json();
  }
  async function newProfile(key = a.apiKey): Promise<number> {
    phoneCounter += 1;
    const res = await t.call(key, 'POST', '/api/v1/profiles', { phone_number: `+1303555${String(1000 + phoneCounter).slice(-4)}` });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  const newCampaign = async (name = 'Campaign', key = a.apiKey) => (await ok('POST', '/api/v1/campaigns', { name }, 201, key)).id as number;
  const profile = async (id: number, key = a.apiKey) => ok('GET', `/api/v1/profiles/${id}`, undefined, 200, key);
  const subscribeVia = (campaignId: number, body: Record<string, unknown>, key = a.apiKey) => call('POST', `/api/v1/campaigns/${campaignId}/subscriptions`, body, key);
  async function auditActions(entityType: string, entityId: number): Promise<string[]> {
    const res = await ok('GET', `/api/v1/audit-log?entity_type=${entityType}&entity_id=${entityId}&limit=100`);
    return (res.data as Array<{ action: string }>).map((e) => e.action).reverse();
  }

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Campaigns A');
  });

  describe('campaigns', () => {
    it('creates, reads, renames and lists a campaign; audited', async () => {
      const created = await ok('POST', '/api/v1/campaigns', { name: '  Spring   drive ', description: 'Turnout' });
      expect(created).toMatchObject({ name: 'Spring drive', description: 'Turnout', status: 'active', ended_at: null });
      expect(Object.keys(created).sort()).toEqual(['created_at', 'description', 'ended_at', 'id', 'name', 'status', 'updated_at']);
      expect(await ok('GET', `/api/v1/campaigns/${created.id}`)).toMatchObject({ ...created, subscriptions: { pending: 0, active: 0, opted_out: 0, removed: 0 } });
      const renamed = await ok('PATCH', `/api/v1/campaigns/${created.id}`, { name: 'Fall drive', description: null });
      expect(renamed).toMatchObject({ name: 'Fall drive', description: null });
      const list = await ok('GET', '/api/v1/campaigns');
      expect(list.data.map((c: { id: number }) => c.id)).toContain(created.id);
      expect(await auditActions('campaign', created.id)).toEqual(['campaign.created', 'campaign.updated']);
    });

    it('names every bad field at once', async () => {
      const error = expectError(await call('POST', '/api/v1/campaigns', { name: '   ', description: 'x'.repeat(2001) }), 422, 'invalid_input');
      expect(error.details.fields!.map((f) => f.field).sort()).toEqual(['description', 'name']);
      expect(error.message).toContain('must not be empty');
      expectError(await call('POST', '/api/v1/campaigns', { name: 'x', status: 'ended' }), 422, 'invalid_input');
      expectError(await call('POST', '/api/v1/campaigns', { name: 42 }), 422, 'invalid_input');
      expectError(await call('GET', '/api/v1/campaigns?status=paused'), 422, 'invalid_input');
      expectError(await call('GET', '/api/v1/campaigns/abc'), 422, 'invalid_input');
      expectError(await call('GET', '/api/v1/campaigns/999999'), 404, 'not_found');
    });

    it('ends a campaign once; an ended campaign takes no subscriptions or opt-in paths', async () => {
      const id = await newCampaign('Ends');
      const ended = await ok('POST', `/api/v1/campaigns/${id}/end`, undefined, 200);
      expect(ended).toMatchObject({ status: 'ended', ended_at: expect.any(String) });
      expect(await ok('POST', `/api/v1/campaigns/${id}/end`, undefined, 200)).toEqual(ended);
      expect((await ok('GET', '/api/v1/campaigns?status=ended')).data.map((c: { id: number }) => c.id)).toContain(id);
      expect((await ok('GET', '/api/v1/campaigns?status=active')).data.map((c: { id: number }) => c.id)).not.toContain(id);
      const error = expectError(await subscribeVia(id, { profile_id: await newProfile() }), 409, 'conflict');
      expect(error.message).toContain('has ended');
      expectError(await call('POST', `/api/v1/campaigns/${id}/opt-in-paths`, { name: 'Late' }), 409, 'conflict');
      expect(await auditActions('campaign', id)).toEqual(['campaign.created', 'campaign.ended']);
    });

    it('deletes (admin only) a campaign nobody subscribed to; one with subscriptions must be ended instead', async () => {
      const editor = (await ok('POST', '/api/v1/api-keys', { name: 'editor', role: 'editor' })).key as string;
      const empty = await newCampaign('Empty');
      await ok('POST', `/api/v1/campaigns/${empty}/opt-in-paths`, { name: 'Door', keywords: ['EMPTYKW'] });
      expectError(await call('DELETE', `/api/v1/campaigns/${empty}`, undefined, editor), 403, 'forbidden');
      await ok('DELETE', `/api/v1/campaigns/${empty}`, undefined, 204);
      expectError(await call('GET', `/api/v1/campaigns/${empty}`), 404, 'not_found');
      // Its keywords are free again.
      const other = await newCampaign('Other');
      await ok('POST', `/api/v1/campaigns/${other}/opt-in-paths`, { name: 'Door', keywords: ['emptykw'] });

      const used = await newCampaign('Used');
      expect((await subscribeVia(used, { profile_id: await newProfile() })).statusCode).toBe(201);
      const error = expectError(await call('DELETE', `/api/v1/campaigns/${used}`), 409, 'conflict');
      expect(error.message).toContain('end it instead');
    });

    it('viewers read, editors write', async () => {
      const viewer = (await ok('POST', '/api/v1/api-keys', { name: 'viewer', role: 'viewer' })).key as string;
      const id = await newCampaign('Viewed');
      expect((await call('GET', '/api/v1/campaigns', undefined, viewer)).statusCode).toBe(200);
      expect((await call('GET', `/api/v1/campaigns/${id}/subscriptions`, undefined, viewer)).statusCode).toBe(200);
      expectError(await call('POST', '/api/v1/campaigns', { name: 'No' }, viewer), 403, 'forbidden');
      expectError(await call('POST', `/api/v1/campaigns/${id}/end`, undefined, viewer), 403, 'forbidden');
      expectError(await subscribeVia(id, { profile_id: await newProfile() }, viewer), 403, 'forbidden');
    });
  });

  describe('opt-in paths and keywords', () => {
    it('keeps keywords upper-case, once each, and finds a path by an inbound message', async () => {
      const c = await newCampaign('Keywords');
      const path = await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Join', keywords: ['join', 'JOIN', ' Unite '], double_opt_in: true, welcome_message: 'Welcome! Reply YES to confirm.' });
      expect(path).toMatchObject({ campaign_id: c, name: 'Join', keywords: ['JOIN', 'UNITE'], double_opt_in: true, welcome_message: 'Welcome! Reply YES to confirm.' });
      expect(await ok('GET', `/api/v1/opt-in-paths/${path.id}`)).toEqual(path);
      expect((await ok('GET', `/api/v1/opt-in-paths?campaign_id=${c}`)).data).toEqual([path]);
      for (const body of ['join', 'Join!', '  JOIN. ', 'unite']) expect((await findOptInPathByKeyword(t.database, a.companyId, body))?.id, body).toBe(path.id);
      for (const body of ['joined', 'join us', 'STOP']) expect(await findOptInPathByKeyword(t.database, a.companyId, body), body).toBeUndefined();
      expect(await auditActions('opt_in_path', path.id)).toEqual(['opt_in_path.created']);
    });

    it('refuses a keyword another path has, in any case, naming it and the path', async () => {
      const c = await newCampaign('Dupes');
      await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'First', keywords: ['Vote'] });
      const error = expectError(await call('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Second', keywords: ['fresh', 'VOTE'] }), 409, 'conflict');
      expect(error.message).toContain('VOTE');
      expect(error.message).toContain('"First"');
      expect((await ok('GET', `/api/v1/opt-in-paths?campaign_id=${c}`)).data.map((p: { name: string }) => p.name)).toEqual(['First']);
    });

    it('refuses STOP, START and HELP words and anything that is not one word', async () => {
      const c = await newCampaign('Reserved');
      const error = expectError(await call('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Bad', keywords: ['stop', 'Yes', 'help', 'two words', '', 'ok!go', 'x'.repeat(31)] }), 422, 'invalid_input');
      expect(error.details.fields!.map((f) => f.field)).toEqual(['keywords.0', 'keywords.1', 'keywords.2', 'keywords.3', 'keywords.4', 'keywords.5', 'keywords.6']);
      expect(error.message).toContain('STOP, START or HELP word');
    });

    it('changes a path: keywords given replace the old ones; audited', async () => {
      const c = await newCampaign('Change');
      const path = await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Door', keywords: ['KNOCK'] });
      const changed = await ok('PATCH', `/api/v1/opt-in-paths/${path.id}`, { keywords: ['ring', 'Bell'], double_opt_in: true });
      expect(changed).toMatchObject({ name: 'Door', keywords: ['BELL', 'RING'], double_opt_in: true });
      expect(await findOptInPathByKeyword(t.database, a.companyId, 'knock')).toBeUndefined();
      expect(await ok('PATCH', `/api/v1/opt-in-paths/${path.id}`, { keywords: ['RING', 'bell'] })).toEqual(changed);
      expect(await auditActions('opt_in_path', path.id)).toEqual(['opt_in_path.created', 'opt_in_path.updated']);
    });

    it('deletes a path nobody came through; a used one keeps its place in history', async () => {
      const c = await newCampaign('Paths');
      const unused = await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Unused', keywords: ['UNUSED'] });
      await ok('DELETE', `/api/v1/opt-in-paths/${unused.id}`, undefined, 204);
      expectError(await call('GET', `/api/v1/opt-in-paths/${unused.id}`), 404, 'not_found');
      const used = await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Used' });
      expect((await subscribeVia(c, { profile_id: await newProfile(), opt_in_path_id: used.id })).statusCode).toBe(201);
      expectError(await call('DELETE', `/api/v1/opt-in-paths/${used.id}`), 409, 'conflict');
    });
  });

  describe('subscriptions', () => {
    it('subscribing makes an Active Subscriber; subscribing again does nothing', async () => {
      const c = await newCampaign('Subscribe');
      const path = await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Web form' });
      const p = await newProfile();
      const first = await subscribeVia(c, { profile_id: p, opt_in_path_id: path.id });
      expect(first.statusCode, first.body).toBe(201);
      const subscription = first.json().subscription;
      expect(first.json()).toMatchObject({ outcome: 'subscribed', subscription: { profile_id: p, campaign_id: c, campaign_name: 'Subscribe', campaign_status: 'active', status: 'active', opt_in_path_id: path.id, opt_in_path_name: 'Web form', activated_at: expect.any(String), opted_out_at: null, opt_out_source: null } });
      const again = await subscribeVia(c, { profile_id: p });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ outcome: 'already_subscribed', subscription });
      const view = await profile(p);
      expect(view).toMatchObject({ status: 'Active Subscriber', description: null, opted_out_at: null });
      expect(view.subscriptions).toEqual([subscription]);
      expect(await ok('GET', `/api/v1/subscriptions/${subscription.id}`)).toEqual(subscription);
      expect(await auditActions('subscription', subscription.id)).toEqual(['subscription.created']);
    });

    it('a double opt-in is pending (no subscription yet) until YES, then active', async () => {
      const c = await newCampaign('Double');
      const path = await ok('POST', `/api/v1/campaigns/${c}/opt-in-paths`, { name: 'Keyword', keywords: ['DOUBLE'], double_opt_in: true });
      const p = await newProfile();
      const res = await subscribeVia(c, { profile_id: p, opt_in_path_id: path.id });
      expect(res.json()).toMatchObject({ outcome: 'pending', subscription: { status: 'pending', activated_at: null } });
      expect(await profile(p)).toMatchObject({ status: 'No Subscriptions' });
      expect((await ok('GET', '/api/v1/profiles?subscription_status=none&per_page=250')).data.map((x: { id: number }) => x.id)).toContain(p);
      const confirmed = await confirmPending(t.database, a.companyId, SYSTEM_ACTOR, { profileId: p });
      expect(confirmed).toEqual([expect.objectContaining({ campaign_id: c, status: 'active', activated_at: expect.any(String) })]);
      expect(await profile(p)).toMatchObject({ status: 'Active Subscriber' });
      expect(await confirmPending(t.database, a.companyId, SYSTEM_ACTOR, { profileId: p })).toEqual([]);
      // Staff who already have the YES may say so.
      const q = await newProfile();
      expect((await subscribeVia(c, { profile_id: q, opt_in_path_id: path.id, confirmed: true })).json()).toMatchObject({ outcome: 'subscribed', subscription: { status: 'active' } });
    });

    it('subscribing an opted-out profile does nothing', async () => {
      const c = await newCampaign('Opted out');
      const p = await newProfile();
      await ok('POST', `/api/v1/profiles/${p}/opt-out`, {}, 200);
      const res = await subscribeVia(c, { profile_id: p });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ outcome: 'profile_opted_out', subscription: null });
      expect((await profile(p)).subscriptions).toEqual([]);
    });

    it('refuses an opt-in path of another campaign, an unknown profile and bad bodies', async () => {
      const c = await newCampaign('Mine');
      const other = await newCampaign('Other');
      const path = await ok('POST', `/api/v1/campaigns/${other}/opt-in-paths`, { name: 'Theirs' });
      const p = await newProfile();
      const error = expectError(await subscribeVia(c, { profile_id: p, opt_in_path_id: path.id }), 422, 'invalid_input');
      expect(error.details.fields).toEqual([expect.objectContaining({ field: 'opt_in_path_id', value: path.id })]);
      expectError(await subscribeVia(c, { profile_id: 99999999 }), 404, 'not_found');
      expectError(await subscribeVia(c, { profile_id: 'abc' }), 422, 'invalid_input');
      expectError(await subscribeVia(c, {}), 422, 'invalid_input');
      expectError(await subscribeVia(c, { profile_id: p, status: 'active' }), 422, 'invalid_input');
      expect((await profile(p)).subscriptions).toEqual([]);
    });

    it('staff remove a subscription: Former Subscriber; removing again changes nothing; subscribing again does nothing', async () => {
      const c = await newCampaign('Remove');
      const p = await newProfile();
      const sub = (await subscribeVia(c, { profile_id: p })).json().subscription;
      const removed = await ok('POST', `/api/v1/subscriptions/${sub.id}/remove`, undefined, 200);
      expect(removed).toMatchObject({ status: 'removed', opted_out_at: expect.any(String), opt_out_source: 'Removed by staff' });
      expect(await ok('POST', `/api/v1/subscriptions/${sub.id}/remove`, undefined, 200)).toEqual(removed);
      expect(await profile(p)).toMatchObject({ status: 'Former Subscriber' });
      expect((await subscribeVia(c, { profile_id: p })).json()).toEqual({ outcome: 'already_subscribed', subscription: removed });
      expect(await auditActions('subscription', sub.id)).toEqual(['subscription.created', 'subscription.removed']);
    });

    it('a person leaving one campaign is opted out of it only', async () => {
      const c1 = await newCampaign('One');
      const c2 = await newCampaign('Two');
      const p = await newProfile();
      await subscribeVia(c1, { profile_id: p });
      await subscribeVia(c2, { profile_id: p });
      const result = await unsubscribe(t.database, a.companyId, SYSTEM_ACTOR, { profileId: p, campaignId: c1, by: 'person' });
      expect(result).toMatchObject({ outcome: 'opted_out', subscription: { status: 'opted_out', opt_out_source: 'Opted out of campaign' } });
      const view = await profile(p);
      expect(view).toMatchObject({ status: 'Active Subscriber', opted_out_at: null });
      expect(view.subscriptions.map((s: { status: string }) => s.status)).toEqual(['opted_out', 'active']);
    });

    it('lists a campaign\'s subscriptions with who they are, newest first, by status, in pages', async () => {
      const c = await newCampaign('Listed');
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await newProfile();
        ids.push(p);
        await subscribeVia(c, { profile_id: p });
      }
      await ok('POST', `/api/v1/profiles/${ids[1]}/opt-out`, {}, 200);
      const all = await ok('GET', `/api/v1/campaigns/${c}/subscriptions?per_page=2`);
      expect(all).toMatchObject({ page: 1, per_page: 2, total: 5 });
      expect(all.data.map((s: { profile_id: number }) => s.profile_id)).toEqual([ids[4], ids[3]]);
      expect(all.data[0]).toMatchObject({ phone_number: expect.stringMatching(/^\+1303555/), first_name: null, status: 'active' });
      const page3 = await ok('GET', `/api/v1/campaigns/${c}/subscriptions?per_page=2&page=3`);
      expect(page3.data.map((s: { profile_id: number }) => s.profile_id)).toEqual([ids[0]]);
      const optedOut = await ok('GET', `/api/v1/campaigns/${c}/subscriptions?status=opted_out`);
      expect(optedOut).toMatchObject({ total: 1, data: [{ profile_id: ids[1], opt_out_source: 'Opt-out from profile' }] });
      expect((await ok('GET', `/api/v1/campaigns/${c}`)).subscriptions).toEqual({ pending: 0, active: 4, opted_out: 1, removed: 0 });
      expectError(await call('GET', `/api/v1/campaigns/${c}/subscriptions?status=gone`), 422, 'invalid_input');
      expectError(await call('GET', `/api/v1/campaigns/${c}/subscriptions?per_page=0`), 422, 'invalid_input');
      expectError(await call('GET', '/api/v1/campaigns/99999999/subscriptions'), 404, 'not_found');
    });

    it('deleting a profile deletes its subscriptions', async () => {
      const c = await newCampaign('Deleted');
      const p = await newProfile();
      const sub = (await subscribeVia(c, { profile_id: p })).json().subscription;
      await ok('DELETE', `/api/v1/profiles/${p}`, undefined, 204);
      expectError(await call('GET', `/api/v1/subscriptions/${sub.id}`), 404, 'not_found');
      expect((await ok('GET', `/api/v1/campaigns/${c}`)).subscriptions.active).toBe(0);
    });
  });

  describe('the Subscription status filter follows SPEC §3 when campaigns end', () => {
    let B: TestCompany;
    const who: Record<string, number> = {};
    const listIds = async (status: string) => {
      const res = await ok('GET', `/api/v1/profiles?subscription_status=${status}&per_page=250`, undefined, 200, B.apiKey);
      expect(res.total).toBe(res.data.length);
      return (res.data as Array<{ id: number }>).map((p) => p.id).sort((x, y) => x - y);
    };
    const keysOf = async (status: string) => (await listIds(status)).map((id) => Object.keys(who).find((k) => who[k] === id)).sort();

    beforeAll(async () => {
      B = await t.company('Filters');
      const live = await newCampaign('Live', B.apiKey);
      const ending = await newCampaign('Ending', B.apiKey);
      for (const k of ['activeLive', 'activeEndedOnly', 'formerLive', 'formerEndedOnly', 'both', 'pendingOnly', 'optedOut', 'nothing']) who[k] = await newProfile(B.apiKey);
      const path = await ok('POST', `/api/v1/campaigns/${live}/opt-in-paths`, { name: 'Double', double_opt_in: true }, 201, B.apiKey);
      const sub = async (k: string, c: number, body: Record<string, unknown> = {}) => (await subscribeVia(c, { profile_id: who[k], ...body }, B.apiKey)).json().subscription.id as number;
      await sub('activeLive', live);
      await sub('activeEndedOnly', ending);
      await ok('POST', `/api/v1/subscriptions/${await sub('formerLive', live)}/remove`, undefined, 200, B.apiKey);
      await ok('POST', `/api/v1/subscriptions/${await sub('formerEndedOnly', ending)}/remove`, undefined, 200, B.apiKey);
      await sub('both', ending);
      await ok('POST', `/api/v1/subscriptions/${await sub('both', live)}/remove`, undefined, 200, B.apiKey);
      await sub('pendingOnly', live, { opt_in_path_id: path.id });
      await sub('optedOut', live);
      await optOutProfile(t.database, B.companyId, SYSTEM_ACTOR, who.optedOut!, 'Texted a STOP word');
      await ok('POST', `/api/v1/campaigns/${ending}/end`, undefined, 200, B.apiKey);
    });

    it('keeps the §3 status (active subscriptions to ended campaigns still count)', async () => {
      const status = async (k: string) => (await profile(who[k]!, B.apiKey)).status;
      expect(await status('activeLive')).toBe('Active Subscriber');
      expect(await status('activeEndedOnly')).toBe('Active Subscriber');
      expect(await status('formerLive')).toBe('Former Subscriber');
      expect(await status('formerEndedOnly')).toBe('Former Subscriber');
      expect(await status('both')).toBe('Active Subscriber');
      expect(await status('pendingOnly')).toBe('No Subscriptions');
      expect(await status('optedOut')).toBe('Opted Out');
      expect(await status('nothing')).toBe('No Subscriptions');
    });

    it('filters by active campaigns only, each profile in one of active, former or none; opted out only in its own', async () => {
      expect(await keysOf('active')).toEqual(['activeLive']);
      expect(await keysOf('former')).toEqual(['both', 'formerLive']);
      expect(await keysOf('none')).toEqual(['activeEndedOnly', 'formerEndedOnly', 'nothing', 'pendingOnly']);
      expect(await keysOf('opted_out')).toEqual(['optedOut']);
      expect(await keysOf('invalid')).toEqual([]);
      expect(await keysOf('all')).toHaveLength(8);
    });

    it('answers the same totals with a search (counted row by row) as without (kept counts)', async () => {
      for (const status of ['active', 'former', 'none', 'opted_out']) {
        const kept = await ok('GET', `/api/v1/profiles?subscription_status=${status}`, undefined, 200, B.apiKey);
        const counted = await ok('GET', `/api/v1/profiles?subscription_status=${status}&search=1303`, undefined, 200, B.apiKey);
        expect(counted.total, status).toBe(kept.total);
      }
    });
  });

  describe('tenancy', () => {
    it('another company\'s campaigns, paths and subscriptions are 404, and its profiles cannot be subscribed', async () => {
      const B = await t.company('Campaigns B');
      const bCampaign = await newCampaign('B campaign', B.apiKey);
      const bPath = await ok('POST', `/api/v1/campaigns/${bCampaign}/opt-in-paths`, { name: 'B path', keywords: ['BONLY'] }, 201, B.apiKey);
      const bProfile = await newProfile(B.apiKey);
      const bSub = (await subscribeVia(bCampaign, { profile_id: bProfile }, B.apiKey)).json().subscription;
      const before = { campaign: await ok('GET', `/api/v1/campaigns/${bCampaign}`, undefined, 200, B.apiKey), profile: await profile(bProfile, B.apiKey) };

      const aCampaign = await newCampaign('A campaign');
      const attempts: Array<[('GET' | 'POST' | 'PATCH' | 'DELETE'), string, unknown?]> = [
        ['GET', `/api/v1/campaigns/${bCampaign}`],
        ['PATCH', `/api/v1/campaigns/${bCampaign}`, { name: 'Hijacked' }],
        ['POST', `/api/v1/campaigns/${bCampaign}/end`],
        ['DELETE', `/api/v1/campaigns/${bCampaign}`],
        ['GET', `/api/v1/campaigns/${bCampaign}/subscriptions`],
        ['POST', `/api/v1/campaigns/${bCampaign}/subscriptions`, { profile_id: bProfile }],
        ['POST', `/api/v1/campaigns/${bCampaign}/opt-in-paths`, { name: 'Hijack' }],
        ['GET', `/api/v1/opt-in-paths?campaign_id=${bCampaign}`],
        ['GET', `/api/v1/opt-in-paths/${bPath.id}`],
        ['PATCH', `/api/v1/opt-in-paths/${bPath.id}`, { keywords: ['MINE'] }],
        ['DELETE', `/api/v1/opt-in-paths/${bPath.id}`],
        ['GET', `/api/v1/subscriptions/${bSub.id}`],
        ['POST', `/api/v1/subscriptions/${bSub.id}/remove`],
        // A's campaign, B's profile; A's campaign with B's path.
        ['POST', `/api/v1/campaigns/${aCampaign}/subscriptions`, { profile_id: bProfile }],
        ['POST', `/api/v1/campaigns/${aCampaign}/subscriptions`, { profile_id: await newProfile(), opt_in_path_id: bPath.id }],
      ];
      for (const [method, url, body] of attempts) {
        const error = expectError(await call(method, url, body), 404, 'not_found');
        expect(JSON.stringify(error)).not.toContain('B campaign');
      }
      expect((await ok('GET', '/api/v1/campaigns')).data.map((c: { id: number }) => c.id)).not.toContain(bCampaign);
      expect((await ok('GET', '/api/v1/opt-in-paths')).data.map((p: { id: number }) => p.id)).not.toContain(bPath.id);
      // A may use the same keyword as B: keywords are unique per company.
      await ok('POST', `/api/v1/campaigns/${aCampaign}/opt-in-paths`, { name: 'Same word', keywords: ['bonly'] });
      expect(await ok('GET', `/api/v1/campaigns/${bCampaign}`, undefined, 200, B.apiKey)).toEqual(before.campaign);
      expect(await profile(bProfile, B.apiKey)).toEqual(before.profile);
    });
  });
});
