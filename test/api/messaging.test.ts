import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { SimulatorGateway } from '../../src/features/messaging/gateways/simulator.js';
import { STOP_WORDS } from '../../src/features/opt-outs/keywords.js';
import { DEFAULT_HELP_TEXT, DEFAULT_STOP_REPLY } from '../../src/features/messaging/message-rules.js';

/** Inbound and outbound messages through the phone simulator, the chat and the Inbox (SPEC §3, §4). */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
// The simulator's delivery report can be recorded before the send's own answer is written out.
const HANDED_OVER = /^(sent|delivered)$/;

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
  return body.error as { code: string; message: string; details: Record<string, unknown> };
}

/** Casings and trailing punctuation of a STOP word, as people type them. */
function spellings(word: string): string[] {
  const title = word.toLowerCase().replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase());
  return [word, word.toLowerCase(), `  ${title}!`, `${word.toLowerCase()}.`, `${title}?!`];
}

describeEachEngine('messaging through the simulator', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let gateway: SimulatorGateway;
  let line = 0;

  const call = (method: Method, url: string, body?: unknown, key = a.apiKey) => t.call(key, method, url, body);
  async function ok(method: Method, url: string, body?: unknown, status = 200, key = a.apiKey) {
    const res = await call(method, url, body, key);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.json();
  }
  const nextPhone = () => `+1415555${String(3000 + ++line).slice(-4)}`;
  const text = (from: string, body: string, key = a.apiKey) => ok('POST', '/api/v1/simulator/messages', { from, body }, 200, key);
  const profile = (id: number, key = a.apiKey) => ok('GET', `/api/v1/profiles/${id}`, undefined, 200, key);
  async function subscriber(): Promise<{ id: number; phone: string; campaignId: number }> {
    const phone = nextPhone();
    const id = (await ok('POST', '/api/v1/profiles', { phone_number: phone }, 201)).id;
    const campaignId = (await ok('POST', '/api/v1/campaigns', { name: `Campaign ${line}` }, 201)).id;
    await ok('POST', `/api/v1/campaigns/${campaignId}/subscriptions`, { profile_id: id }, 201);
    return { id, phone, campaignId };
  }

  beforeAll(async () => {
    gateway = new SimulatorGateway({
      rules: [
        { match: '+14155559901', outcome: { kind: 'undelivered', code: '30005' } },
        { match: '+14155559902', outcome: { kind: 'undelivered', disposition: 'deactivated' } },
        { match: '+14155559903', outcome: { kind: 'reject', code: '21610' } },
        { match: '+14155559904', outcome: { kind: 'reject', code: '30007' } },
      ],
      carriers: [{ match: '+1415*', carrier: 'Bay Wireless' }],
    });
    t = await testApp(engine, { gateway });
    a = await t.company('Messaging A');
  });

  it('says the simulator is on', async () => {
    expect(await ok('GET', '/api/v1/simulator')).toEqual({ enabled: true, gateway: 'simulator' });
  });

  describe('inbound', () => {
    it('a new number becomes an Unknown profile; its message is recorded and shown in the thread', async () => {
      const phone = nextPhone();
      const result = await text(`(415) 555-${phone.slice(-4)}`, 'Hi there');
      expect(result).toMatchObject({ profile_created: true, replies: [], message: { direction: 'inbound', body: 'Hi there', status: 'received', intent: 'other', possible_opt_out: false, campaign_id: null } });
      expect(Object.keys(result.message).sort()).toEqual(['body', 'campaign_id', 'carrier_name', 'created_at', 'direction', 'error_code', 'error_message', 'id', 'intent', 'possible_opt_out', 'profile_id', 'status', 'updated_at']);
      expect(await profile(result.profile_id)).toMatchObject({ phone_number: phone, source_type: 'Unknown', status: 'No Subscriptions' });
      const again = await text(phone, 'Me again');
      expect(again).toMatchObject({ profile_created: false, profile_id: result.profile_id });
      const thread = await ok('GET', `/api/v1/simulator/messages?number=${encodeURIComponent(phone.slice(2))}`);
      expect(thread.data.map((m: { body: string }) => m.body)).toEqual(['Hi there', 'Me again']);
      expect((await ok('GET', `/api/v1/simulator/messages?number=${encodeURIComponent(nextPhone())}`)).data).toEqual([]);
      expectError(await call('GET', '/api/v1/simulator/messages?number=abc'), 422, 'invalid_input');
      expectError(await call('POST', '/api/v1/simulator/messages', { from: 'not a number', body: 'x' }), 422, 'invalid_input');
    });

    it.each(STOP_WORDS)('%s in any casing, with punctuation, opts the profile out of everything', async (word) => {
      for (const written of spellings(word)) {
        const p = await subscriber();
        const result = await text(p.phone, written);
        expect(result.message, written).toMatchObject({ intent: 'stop', possible_opt_out: false });
        expect(await profile(p.id), written).toMatchObject({
          status: 'Opted Out', opted_out_source: 'Texted a STOP word', description: 'Undeliverable - Texted a STOP word', subscriptions: [{ status: 'opted_out', opt_out_source: 'Texted a STOP word' }],
        });
        // The one message an opted-out number gets: the confirmation of its STOP.
        expect(result.replies).toEqual([expect.objectContaining({ direction: 'outbound', intent: 'stop', body: DEFAULT_STOP_REPLY, status: expect.stringMatching(HANDED_OVER) })]);
        const second = await text(p.phone, written);
        expect(second.replies).toEqual([]);
      }
    });

    it('a number already opted out (blacklisted, or by staff) gets no STOP confirmation; the company can turn the confirmation off', async () => {
      const listed = await subscriber();
      await ok('POST', '/api/v1/blacklist', { phone_number: listed.phone }, 201);
      expect((await text(listed.phone, 'STOP')).replies).toEqual([]);
      const staffOut = await subscriber();
      await ok('POST', `/api/v1/profiles/${staffOut.id}/opt-out`, { reason: 'Manual Opt-Out' });
      expect((await text(staffOut.phone, 'STOP')).replies).toEqual([]);
      expect(await profile(staffOut.id)).toMatchObject({ opted_out_source: 'Texted a STOP word' });
      expect(gateway.sent().filter((m) => m.to === listed.phone || m.to === staffOut.phone)).toEqual([]);
      await ok('PATCH', '/api/v1/company', { stop_reply: '' });
      const quiet = await subscriber();
      expect((await text(quiet.phone, 'STOP')).replies).toEqual([]);
      await ok('PATCH', '/api/v1/company', { stop_reply: 'Bye now.' });
      const custom = await subscriber();
      expect((await text(custom.phone, 'STOP')).replies.map((r: { body: string }) => r.body)).toEqual(['Bye now.']);
      await ok('PATCH', '/api/v1/company', { stop_reply: null });
    });

    it('"stop!" opts out; "don\'t stop" is only flagged as a possible opt-out, which a person can dismiss', async () => {
      const stopper = await subscriber();
      await text(stopper.phone, 'stop!');
      expect(await profile(stopper.id)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Texted a STOP word' });

      const fan = await subscriber();
      const kept = await text(fan.phone, "don't stop");
      expect(kept.message).toMatchObject({ intent: 'other', possible_opt_out: false });
      expect(await profile(fan.id)).toMatchObject({ status: 'Active Subscriber' });

      const unsure = await subscriber();
      const flagged = await text(unsure.phone, 'please stop texting me');
      expect(flagged.message).toMatchObject({ intent: 'other', possible_opt_out: true });
      expect(await profile(unsure.id)).toMatchObject({ status: 'Active Subscriber' });
      const inbox = await ok('GET', '/api/v1/inbox?possible_opt_out=true&per_page=250');
      expect(inbox.data.map((c: { profile_id: number }) => c.profile_id)).toEqual([unsure.id]);
      expect(inbox.data[0]).toMatchObject({ phone_number: unsure.phone, status: 'Active Subscriber', description: null, possible_opt_out: true, last_message: { id: flagged.message.id } });
      const dismissed = await ok('POST', `/api/v1/messages/${flagged.message.id}/dismiss-possible-opt-out`);
      expect(dismissed).toMatchObject({ id: flagged.message.id, possible_opt_out: false });
      expect((await ok('GET', '/api/v1/inbox?possible_opt_out=true')).total).toBe(0);
      // The Inbox's "Opt out" is the staff opt-out with its reason.
      expect(await ok('POST', `/api/v1/profiles/${unsure.id}/opt-out`, { reason: 'Opt-out from Inbox' })).toMatchObject({ status: 'Opted Out', description: 'Undeliverable - Opt-out from Inbox' });
    });

    it('START after the person\'s STOP re-subscribes; START without a STOP does nothing; staff cannot undo a STOP', async () => {
      const p = await subscriber();
      await text(p.phone, 'STOP');
      expectError(await call('POST', `/api/v1/profiles/${p.id}/opt-in-again`), 409, 'conflict');
      const started = await text(p.phone, 'start');
      expect(started.message).toMatchObject({ intent: 'start' });
      expect(await profile(p.id)).toMatchObject({ status: 'Active Subscriber', opted_out_at: null, subscriptions: [{ status: 'active' }] });
      for (const word of ['UNSTOP', 'Yes!']) {
        await text(p.phone, 'quit');
        expect(await profile(p.id)).toMatchObject({ status: 'Opted Out' });
        await text(p.phone, word);
        expect(await profile(p.id), word).toMatchObject({ status: 'Active Subscriber' });
      }

      const staffOut = await subscriber();
      await ok('POST', `/api/v1/profiles/${staffOut.id}/opt-out`, { reason: 'Opt-out from profile' });
      await text(staffOut.phone, 'START');
      expect(await profile(staffOut.id)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Opt-out from profile' });

      const never = await subscriber();
      const before = await profile(never.id);
      await text(never.phone, 'START');
      expect(await profile(never.id)).toEqual(before);
    });

    it('HELP is answered with the company\'s help text', async () => {
      const phone = nextPhone();
      expect((await text(phone, 'help')).replies).toEqual([expect.objectContaining({ body: DEFAULT_HELP_TEXT, intent: 'help', direction: 'outbound' })]);
      await ok('PATCH', '/api/v1/company', { help_text: 'Roster Org: reply STOP to quit. help@example.org' });
      const answer = await text(phone, 'HELP.');
      expect(answer.message).toMatchObject({ intent: 'help' });
      expect(answer.replies.map((r: { body: string }) => r.body)).toEqual(['Roster Org: reply STOP to quit. help@example.org']);
      expect(gateway.sent().filter((m) => m.to === phone).map((m) => m.body)).toEqual([DEFAULT_HELP_TEXT, 'Roster Org: reply STOP to quit. help@example.org']);
      await ok('PATCH', '/api/v1/company', { help_text: null });
    });

    it('a keyword subscribes through its opt-in path with the welcome message; a new number starts Opted in', async () => {
      const campaign = (await ok('POST', '/api/v1/campaigns', { name: 'Tenants union' }, 201)).id;
      const path = (await ok('POST', `/api/v1/campaigns/${campaign}/opt-in-paths`, { name: 'Join keyword', keywords: ['JOIN'], welcome_message: 'Welcome to the union!' }, 201)).id;
      const phone = nextPhone();
      const joined = await text(phone, 'join!');
      expect(joined).toMatchObject({ profile_created: true, message: { intent: 'keyword', campaign_id: campaign } });
      expect(joined.replies).toEqual([expect.objectContaining({ body: 'Welcome to the union!', intent: 'keyword', campaign_id: campaign })]);
      expect(await profile(joined.profile_id)).toMatchObject({
        source_type: 'Opted in', source_name: 'Join keyword', status: 'Active Subscriber', subscriptions: [{ campaign_id: campaign, opt_in_path_id: path, status: 'active' }],
      });
      // Texting it again does nothing (already subscribed).
      expect((await text(phone, 'JOIN')).replies).toEqual([]);

      // Double opt-in: pending until YES, which brings the welcome.
      const double = (await ok('POST', '/api/v1/campaigns', { name: 'Alerts' }, 201)).id;
      await ok('POST', `/api/v1/campaigns/${double}/opt-in-paths`, { name: 'Alerts keyword', keywords: ['ALERTS'], double_opt_in: true, welcome_message: 'Alerts are on.' }, 201);
      const asked = await text(phone, 'Alerts');
      expect(asked.replies).toEqual([expect.objectContaining({ body: expect.stringContaining('Reply YES to confirm your subscription to Alerts') })]);
      expect((await profile(joined.profile_id)).subscriptions.find((s: { campaign_id: number }) => s.campaign_id === double)).toMatchObject({ status: 'pending' });
      const yes = await text(phone, 'YES');
      expect(yes.replies).toEqual([expect.objectContaining({ body: 'Alerts are on.', campaign_id: double })]);
      expect((await profile(joined.profile_id)).subscriptions.find((s: { campaign_id: number }) => s.campaign_id === double)).toMatchObject({ status: 'active' });
    });
  });

  describe('outbound', () => {
    it('a chat message is sent, then delivered with the carrier recorded on the message and the profile', async () => {
      const p = await subscriber();
      const sent = await ok('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'Rally at 6pm' }, 201);
      expect(sent).toMatchObject({ direction: 'outbound', body: 'Rally at 6pm', status: expect.stringMatching(HANDED_OVER), intent: null, error_code: null });
      await gateway.idle();
      const page = await ok('GET', `/api/v1/profiles/${p.id}/messages`);
      expect(page).toMatchObject({ textable: true, untextable_reason: null, next_before: null });
      expect(page.data[0]).toMatchObject({ id: sent.id, status: 'delivered', carrier_name: 'Bay Wireless' });
      expect(await profile(p.id)).toMatchObject({ carrier_name: 'Bay Wireless' });
    });

    it('refuses to text a profile that is not textable, with the reason, and hands nothing to the gateway', async () => {
      const p = await subscriber();
      await text(p.phone, 'STOP');
      const before = gateway.sent().length;
      const error = expectError(await call('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'Are you sure?' }), 409, 'not_textable');
      expect(error).toEqual({ code: 'not_textable', message: 'Cannot text this profile: Undeliverable - Texted a STOP word', details: { reason: 'Undeliverable - Texted a STOP word' } });
      expect(gateway.sent().length).toBe(before);
      expect(await ok('GET', `/api/v1/profiles/${p.id}/messages`)).toMatchObject({ textable: false, untextable_reason: 'Undeliverable - Texted a STOP word' });
      expectError(await call('POST', `/api/v1/profiles/${p.id}/messages`, { body: '   ' }), 422, 'invalid_input');
      expectError(await call('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'x'.repeat(1601) }), 422, 'invalid_input');
      expectError(await call('POST', '/api/v1/profiles/99999999/messages', { body: 'hi' }), 404, 'not_found');
    });

    it('a hard bounce, a deactivation and a carrier opt-out opt the profile out with their reasons; another failure does not', async () => {
      const cases = [
        ['+14155559901', 'undelivered', '30005', 'Hard Bounce'],
        ['+14155559902', 'undelivered', null, 'Phone was Deactivated'],
        ['+14155559903', 'failed', '21610', 'Texted a STOP word'],
        ['+14155559904', 'failed', '30007', null],
      ] as const;
      for (const [phone, status, code, reason] of cases) {
        const id = (await ok('POST', '/api/v1/profiles', { phone_number: phone }, 201)).id;
        await ok('POST', `/api/v1/profiles/${id}/messages`, { body: 'Hello' }, 201);
        await gateway.idle();
        const page = await ok('GET', `/api/v1/profiles/${id}/messages`);
        expect(page.data[0], phone).toMatchObject({ status, error_code: code });
        if (reason) expect(await profile(id), phone).toMatchObject({ status: 'Opted Out', opted_out_source: reason, description: `Undeliverable - ${reason}` });
        else expect(await profile(id), phone).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
      }
    });

    it('pages a conversation newest first', async () => {
      const p = await subscriber();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await ok('POST', `/api/v1/profiles/${p.id}/messages`, { body: `m${i}` }, 201)).id);
      const first = await ok('GET', `/api/v1/profiles/${p.id}/messages?limit=2`);
      expect(first.data.map((m: { id: number }) => m.id)).toEqual([ids[4], ids[3]]);
      const second = await ok('GET', `/api/v1/profiles/${p.id}/messages?limit=2&before=${first.next_before}`);
      expect(second.data.map((m: { id: number }) => m.id)).toEqual([ids[2], ids[1]]);
      const third = await ok('GET', `/api/v1/profiles/${p.id}/messages?limit=2&before=${second.next_before}`);
      expect(third).toMatchObject({ next_before: null });
      expect(third.data.map((m: { id: number }) => m.id)).toEqual([ids[0]]);
      expectError(await call('GET', `/api/v1/profiles/${p.id}/messages?limit=0`), 422, 'invalid_input');
    });
  });

  describe('inbox', () => {
    it('lists conversations latest first, paged, with each one\'s last message', async () => {
      const c = await t.company('Inbox order');
      const phones = [nextPhone(), nextPhone(), nextPhone()];
      for (const phone of phones) await text(phone, `hello from ${phone}`, c.apiKey);
      await text(phones[0]!, 'latest', c.apiKey);
      const page = await ok('GET', '/api/v1/inbox?per_page=2', undefined, 200, c.apiKey);
      expect(page).toMatchObject({ page: 1, per_page: 2, total: 3 });
      expect(page.data.map((e: { phone_number: string }) => e.phone_number)).toEqual([phones[0], phones[2]]);
      expect(page.data[0].last_message).toMatchObject({ body: 'latest', direction: 'inbound' });
      expect((await ok('GET', '/api/v1/inbox?per_page=2&page=2', undefined, 200, c.apiKey)).data.map((e: { phone_number: string }) => e.phone_number)).toEqual([phones[1]]);
      expectError(await call('GET', '/api/v1/inbox?possible_opt_out=maybe', undefined, c.apiKey), 422, 'invalid_input');
    });
  });

  describe('roles and tenancy', () => {
    it('viewers read conversations and the inbox but cannot text or dismiss', async () => {
      const viewer = (await ok('POST', '/api/v1/api-keys', { name: 'viewer', role: 'viewer' }, 201)).key as string;
      const p = await subscriber();
      const flagged = await text(p.phone, 'remove me please');
      await ok('GET', `/api/v1/profiles/${p.id}/messages`, undefined, 200, viewer);
      await ok('GET', '/api/v1/inbox', undefined, 200, viewer);
      await ok('GET', '/api/v1/simulator', undefined, 200, viewer);
      await ok('GET', `/api/v1/simulator/messages?number=${encodeURIComponent(p.phone)}`, undefined, 200, viewer);
      expectError(await call('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'hi' }, viewer), 403, 'forbidden');
      expectError(await call('POST', `/api/v1/messages/${flagged.message.id}/dismiss-possible-opt-out`, undefined, viewer), 403, 'forbidden');
      expectError(await call('POST', '/api/v1/simulator/messages', { from: p.phone, body: 'hi' }, viewer), 403, 'forbidden');
    });

    it('company B sees none of A\'s messages and touches none (404 for A\'s ids)', async () => {
      const B = await t.company('Messaging B');
      const p = await subscriber();
      const flagged = await text(p.phone, 'take me off this list');
      await ok('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'A only' }, 201);
      await gateway.idle();
      const before = { thread: await ok('GET', `/api/v1/profiles/${p.id}/messages`), inbox: await ok('GET', '/api/v1/inbox?per_page=250') };
      expectError(await call('GET', `/api/v1/profiles/${p.id}/messages`, undefined, B.apiKey), 404, 'not_found');
      expectError(await call('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'from B' }, B.apiKey), 404, 'not_found');
      expectError(await call('POST', `/api/v1/messages/${flagged.message.id}/dismiss-possible-opt-out`, undefined, B.apiKey), 404, 'not_found');
      expect((await ok('GET', '/api/v1/inbox', undefined, 200, B.apiKey)).total).toBe(0);
      // The same number in B is B's own profile, with only B's messages.
      expect((await ok('GET', `/api/v1/simulator/messages?number=${encodeURIComponent(p.phone)}`, undefined, 200, B.apiKey)).data).toEqual([]);
      const bText = await text(p.phone, 'STOP', B.apiKey);
      expect(bText.profile_id).not.toBe(p.id);
      expect((await ok('GET', `/api/v1/simulator/messages?number=${encodeURIComponent(p.phone)}`, undefined, 200, B.apiKey)).data.map((m: { body: string }) => m.body)).toEqual(['STOP', DEFAULT_STOP_REPLY]);
      expect(await profile(p.id)).toMatchObject({ status: 'Active Subscriber' });
      expect(await ok('GET', `/api/v1/profiles/${p.id}/messages`)).toEqual(before.thread);
      expect(await ok('GET', '/api/v1/inbox?per_page=250')).toEqual(before.inbox);
      expect((await ok('GET', '/api/v1/inbox', undefined, 200, B.apiKey)).data.map((e: { profile_id: number }) => e.profile_id)).toEqual([bText.profile_id]);
    });
  });
});
