import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { signTwilioRequest, startTwilioStandIn, type TwilioStandIn, twilioInboundParams } from '../stand-ins/twilio.js';
import { STOP_WORDS } from '../../src/features/opt-outs/keywords.js';
import { DEFAULT_HELP_TEXT, DEFAULT_STOP_REPLY } from '../../src/features/messaging/message-rules.js';

/** The Twilio gateway end to end against the stand-in on loopback: signed webhooks in, the Messages API out, status callbacks back. */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A free loopback port, so ROSTER_PUBLIC_URL (which Twilio signs) can be known before the app listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeEachEngine('messaging through Twilio', (engine) => {
  let standIn: TwilioStandIn;
  let t: TestApp;
  let a: TestCompany;
  let base: string;
  let line = 0;
  const OUR_NUMBER = '+12025550100';

  const call = (method: Method, url: string, body?: unknown, key = a.apiKey) => t.call(key, method, url, body);
  async function ok(method: Method, url: string, body?: unknown, status = 200, key = a.apiKey) {
    const res = await call(method, url, body, key);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.json();
  }
  const nextPhone = () => `+1720555${String(1000 + ++line).slice(-4)}`;
  const inboundUrl = (companyId = a.companyId) => `${base}/api/v1/gateways/twilio/${companyId}/inbound`;
  const profile = (id: number) => ok('GET', `/api/v1/profiles/${id}`);
  const lookup = async (phone: string) => ok('GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`);
  const sentTo = (phone: string) => standIn.messages.filter((m) => m.to === phone);
  const apiRequestsTo = (phone: string) => standIn.requests.filter((r) => r.path.endsWith('/Messages.json') && r.form.To === phone);
  async function counts() {
    const n = async (table: 'messages' | 'profiles') => Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { messages: await n('messages'), profiles: await n('profiles') };
  }
  async function textIn(from: string, body: string, extra: { messageSid?: string; optOutType?: 'STOP' | 'START' | 'HELP' } = {}) {
    const answer = await standIn.sendInbound(inboundUrl(), { from, to: OUR_NUMBER, body, ...extra });
    expect(answer, body).toEqual({ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    // The webhook answers before its replies are handed to the gateway (Messaging.dispatch).
    await t.app.messagingIdle();
    await standIn.callbacksSettled();
  }
  async function newProfile(phone = nextPhone()): Promise<{ id: number; phone: string }> {
    return { id: (await ok('POST', '/api/v1/profiles', { phone_number: phone }, 201)).id, phone };
  }
  async function send(id: number, body = 'Hello from Roster') {
    const sent = await ok('POST', `/api/v1/profiles/${id}/messages`, { body }, 201);
    await standIn.callbacksSettled();
    return { sent, now: (await ok('GET', `/api/v1/profiles/${id}/messages`)).data.find((m: { id: number }) => m.id === sent.id) };
  }

  beforeAll(async () => {
    standIn = await startTwilioStandIn({ ownedNumbers: [OUR_NUMBER] });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await testApp(engine, {
      env: {
        ROSTER_SMS_GATEWAY: 'twilio',
        ROSTER_PUBLIC_URL: base,
        ROSTER_TWILIO_ACCOUNT_SID: standIn.accountSid,
        ROSTER_TWILIO_AUTH_TOKEN: standIn.authToken,
        ROSTER_TWILIO_FROM: OUR_NUMBER,
        ROSTER_TWILIO_API_BASE_URL: standIn.baseUrl,
        ROSTER_TWILIO_LOOKUP_BASE_URL: standIn.baseUrl,
        ROSTER_TWILIO_TIMEOUT_MS: '5000',
      },
    });
    await t.app.listen({ host: '127.0.0.1', port });
    a = await t.company('Twilio A');
  });
  afterAll(async () => {
    await standIn?.close();
    await t?.app.close();
  });

  it('the phone simulator is off', async () => {
    expect(await ok('GET', '/api/v1/simulator')).toEqual({ enabled: false, gateway: 'twilio' });
    const res = await call('POST', '/api/v1/simulator/messages', { from: nextPhone(), body: 'hi' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('simulator_disabled');
  });

  describe('inbound webhook', () => {
    it.each(STOP_WORDS)('%s in several casings, with punctuation, opts the texter out and is confirmed once', async (word) => {
      for (const written of [word, `${word.toLowerCase()}!`, ` ${word[0]}${word.slice(1).toLowerCase()}. `]) {
        const phone = nextPhone();
        await textIn(phone, written);
        const p = await lookup(phone);
        expect(p, written).toMatchObject({ source_type: 'Unknown', status: 'Opted Out', opted_out_source: 'Texted a STOP word', description: 'Undeliverable - Texted a STOP word' });
        expect(sentTo(phone).map((m) => m.body), written).toEqual([DEFAULT_STOP_REPLY]);
      }
    });

    it('"stop!" opts out; "don\'t stop" and "stop texting me" do not', async () => {
      const stopper = nextPhone();
      await textIn(stopper, 'stop!');
      expect(await lookup(stopper)).toMatchObject({ status: 'Opted Out' });
      for (const body of ["don't stop", 'stop texting me']) {
        const phone = nextPhone();
        await textIn(phone, body);
        const p = await lookup(phone);
        expect(p, body).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
        const messages = (await ok('GET', `/api/v1/profiles/${p.id}/messages`)).data;
        expect(messages[0], body).toMatchObject({ body, possible_opt_out: body === 'stop texting me' });
      }
    });

    it('honours Twilio\'s own OptOutType: a STOP in another language opts out, and Twilio, not Roster, confirms it', async () => {
      const phone = nextPhone();
      await textIn(phone, 'ARRET', { optOutType: 'STOP' });
      expect(await lookup(phone)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Texted a STOP word' });
      expect(sentTo(phone)).toEqual([]);
      await textIn(phone, 'REPRENDRE', { optOutType: 'START' });
      expect(await lookup(phone)).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
    });

    it('HELP is answered through the Messages API; a duplicate delivery of the same MessageSid is processed once', async () => {
      const phone = nextPhone();
      const messageSid = `SM${'ab'.repeat(16)}`;
      await textIn(phone, 'HELP', { messageSid });
      await textIn(phone, 'HELP', { messageSid });
      expect(sentTo(phone).map((m) => m.body)).toEqual([DEFAULT_HELP_TEXT]);
      const p = await lookup(phone);
      const thread = (await ok('GET', `/api/v1/profiles/${p.id}/messages`)).data;
      expect(thread.map((m: { direction: string; body: string }) => [m.direction, m.body])).toEqual([['outbound', DEFAULT_HELP_TEXT], ['inbound', 'HELP']]);
    });

    it('refuses a forged, missing or misdirected signature with 403 and records nothing', async () => {
      const before = await counts();
      const params = twilioInboundParams({ from: nextPhone(), to: OUR_NUMBER, body: 'STOP', accountSid: standIn.accountSid });
      const post = (url: string, signature: string | undefined, body = params) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) }, body: new URLSearchParams(body).toString() });
      const forged = signTwilioRequest('not-the-auth-token', inboundUrl(), params);
      const tampered = signTwilioRequest(standIn.authToken, inboundUrl(), { ...params, Body: 'hello' });
      const otherCompany = signTwilioRequest(standIn.authToken, inboundUrl(a.companyId + 1000), params);
      for (const [signature, label] of [[forged, 'forged'], [undefined, 'missing'], [tampered, 'tampered'], [otherCompany, 'other URL'], ['', 'empty']] as const) {
        const res = await post(inboundUrl(), signature);
        expect(res.status, label).toBe(403);
        expect((await res.json()).error.code, label).toBe('forbidden');
      }
      const statusUrl = `${base}/api/v1/gateways/twilio/${a.companyId}/status`;
      const report = { MessageSid: `SM${'cd'.repeat(16)}`, MessageStatus: 'undelivered', ErrorCode: '30005', AccountSid: standIn.accountSid };
      expect((await post(statusUrl, signTwilioRequest('wrong', statusUrl, report), report)).status).toBe(403);
      expect(await counts()).toEqual(before);
      // A correctly signed webhook for a company that does not exist is a 404, and writes nothing either.
      const ghost = await standIn.sendInbound(inboundUrl(999_999), { from: nextPhone(), to: OUR_NUMBER, body: 'STOP' });
      expect(ghost.status).toBe(404);
      expect(await counts()).toEqual(before);
    });
  });

  it('tenancy: a signed status report for company A\'s message sent to company B\'s URL changes nothing', async () => {
    const B = await t.company('Twilio B');
    const p = await newProfile();
    const { sent, now } = await send(p.id);
    expect(now).toMatchObject({ status: 'delivered' });
    const sid = standIn.messages.find((m) => m.body === 'Hello from Roster' && m.to === p.phone)!.sid;
    for (const url of [`${base}/api/v1/gateways/twilio/${B.companyId}/status`, `${base}/api/v1/gateways/twilio/${B.companyId}/status?message=${sent.id}`]) {
      const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30005', AccountSid: standIn.accountSid, To: p.phone };
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(standIn.authToken, url, params) }, body: new URLSearchParams(params).toString() });
      expect(res.status).toBe(200);
    }
    expect((await ok('GET', `/api/v1/profiles/${p.id}/messages`)).data[0]).toMatchObject({ id: sent.id, status: 'delivered', error_code: null });
    expect(await profile(p.id)).toMatchObject({ opted_out_at: null });
    // And B's inbound webhook records into B only.
    const phone = nextPhone();
    expect((await standIn.sendInbound(inboundUrl(B.companyId), { from: phone, to: OUR_NUMBER, body: 'hello B' })).status).toBe(200);
    expect((await call('GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`)).statusCode).toBe(404);
    expect((await t.call(B.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`)).json()).toMatchObject({ source_type: 'Unknown' });
  });

  describe('outbound through the Messages API', () => {
    it('is delivered (status callbacks move it forward) and the carrier comes from Lookup', async () => {
      const p = await newProfile();
      standIn.setLineType(p.phone, { carrierName: 'Verizon Wireless', type: 'mobile' });
      const { sent, now } = await send(p.id);
      // The answer is the message after its handoff: the stand-in's callbacks may already have moved it on to delivered.
      expect(sent).toMatchObject({ status: expect.stringMatching(/^(sent|delivered)$/), carrier_name: 'Verizon Wireless' });
      expect(now).toMatchObject({ status: 'delivered', error_code: null });
      const request = apiRequestsTo(p.phone)[0]!;
      expect(request.form).toMatchObject({ To: p.phone, From: OUR_NUMBER, Body: 'Hello from Roster', StatusCallback: `${base}/api/v1/gateways/twilio/${a.companyId}/status?message=${sent.id}` });
      expect(standIn.callbacks.filter((c) => c.params.To === p.phone).map((c) => [c.params.MessageStatus, c.responseStatus])).toEqual([['sent', 200], ['delivered', 200]]);
      expect(await profile(p.id)).toMatchObject({ carrier_name: 'Verizon Wireless' });
    });

    it('retries a transient failure once, then marks it failed with the code', async () => {
      const p = await newProfile();
      standIn.script(p.phone, { kind: 'server_error' }, { kind: 'server_error' });
      const { sent } = await send(p.id);
      expect(sent).toMatchObject({ status: 'failed', error_code: '20500' });
      expect(apiRequestsTo(p.phone)).toHaveLength(2);
      expect(await profile(p.id)).toMatchObject({ opted_out_at: null });

      const q = await newProfile();
      standIn.script(q.phone, { kind: 'rate_limit' }, { kind: 'accept' });
      expect((await send(q.id)).now).toMatchObject({ status: 'delivered' });
      expect(apiRequestsTo(q.phone)).toHaveLength(2);
    });

    it('a transient delivery failure (30003) is sent once more, and then delivered', async () => {
      const p = await newProfile();
      standIn.script(p.phone, { kind: 'accept', finalStatus: 'undelivered', errorCode: 30003 }, { kind: 'accept' });
      const { now } = await send(p.id);
      await standIn.callbacksSettled();
      expect(sentTo(p.phone)).toHaveLength(2);
      expect((await ok('GET', `/api/v1/profiles/${p.id}/messages`)).data[0]).toMatchObject({ id: now.id, status: 'delivered' });
    });

    it('30005 and 30006 reported by callback, and 21614 at send, are Hard Bounces; 21610 is the person\'s STOP', async () => {
      const cases = [
        [{ kind: 'accept', finalStatus: 'undelivered', errorCode: 30005 }, 'undelivered', '30005', 'Hard Bounce'],
        [{ kind: 'accept', finalStatus: 'undelivered', errorCode: 30006 }, 'undelivered', '30006', 'Hard Bounce'],
        [{ kind: 'error', code: 21614 }, 'failed', '21614', 'Hard Bounce'],
        [{ kind: 'error', code: 21610 }, 'failed', '21610', 'Texted a STOP word'],
        [{ kind: 'accept', finalStatus: 'undelivered', errorCode: 30007 }, 'undelivered', '30007', null],
      ] as const;
      for (const [behaviour, status, code, reason] of cases) {
        const p = await newProfile();
        standIn.script(p.phone, behaviour);
        const { now } = await send(p.id);
        expect(now, code).toMatchObject({ status, error_code: code });
        if (reason) {
          expect(await profile(p.id), code).toMatchObject({ status: 'Opted Out', opted_out_source: reason });
          const refused = await call('POST', `/api/v1/profiles/${p.id}/messages`, { body: 'again' });
          expect(refused.statusCode, code).toBe(409);
        } else {
          expect(await profile(p.id), code).toMatchObject({ opted_out_at: null });
        }
      }
    });
  });
});
