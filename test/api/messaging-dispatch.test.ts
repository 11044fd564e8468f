import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import type { OutboundSms, SendResult, SmsGateway } from '../../src/features/messaging/gateways/gateway.js';
import { DEFAULT_HELP_TEXT, DEFAULT_STOP_REPLY } from '../../src/features/messaging/message-rules.js';
import { INERT_BATCH_TEXTS, inertBatchWatch, recordDeliveryProgress, recordInertInbound } from '../../src/features/messaging/messages.repository.js';
import { Messaging } from '../../src/features/messaging/messaging.service.js';
import { recentCompanySettings } from '../../src/features/accounts/accounts.service.js';
import { createCampaign, createOptInPath } from '../../src/features/campaigns/campaigns.service.js';

/** A gateway that records what it was handed and can be switched off, as if the process had died mid-handoff. */
class RecordingGateway implements SmsGateway {
  readonly name = 'recording';
  readonly sent: OutboundSms[] = [];
  down = false;
  private n = 0;
  async send(message: OutboundSms): Promise<SendResult> {
    if (this.down) throw new Error('the process stopped before the gateway was called');
    this.sent.push(message);
    return { outcome: 'accepted', gatewayMessageId: `RG${++this.n}`, status: 'queued' };
  }
}

/**
 * Replies are recorded (queued) in the inbound message's transaction and handed to the gateway after it commits
 * (Messaging.dispatch); one whose handoff never happened stays queued and the sweep hands it off, once.
 */
describeEachEngine('reply dispatch', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let gateway: RecordingGateway;
  let messaging: Messaging;
  let line = 0;
  const inbound = (from: string, body: string, gatewayMessageId = `IN${++line}`) => messaging.handleInbound(a.companyId, { gatewayMessageId, from, to: '+12025550100', body, receivedAt: new Date().toISOString() });
  /** HELP from `from` whose reply stays queued: the gateway is down for its handoff, and up again after. */
  const helpLeftQueued = async (from: string) => {
    gateway.down = true;
    const result = await inbound(from, 'help');
    await result.handoffs.catch(() => undefined);
    gateway.down = false;
    return result;
  };
  /**
   * The bodies of each PostgreSQL batch of inert texts sent while `run` runs (none on SQLite, which batches its own
   * way), and the errors of those that failed (each of their texts then recorded alone).
   */
  async function batchesDuring<T>(run: () => Promise<T>): Promise<{ result: T; batches: string[][]; failures: unknown[] }> {
    const batches: string[][] = [];
    const failures: unknown[] = [];
    inertBatchWatch.sent = (texts) => batches.push(texts.map((x) => x.body));
    inertBatchWatch.failed = (error) => failures.push(error);
    // With the company's settings at hand (kept a second), texts sent together reach the batcher in one turn of the loop.
    await recentCompanySettings(t.database, a.companyId);
    try {
      return { result: await run(), batches, failures };
    } finally {
      inertBatchWatch.sent = undefined;
      inertBatchWatch.failed = undefined;
    }
  }
  /** Each profile's conversation beside its newest message and its count of flagged inbound messages. */
  async function conversationsOf(profileIds: number[]) {
    const db = t.database.db;
    const conversations = await db.selectFrom('conversations').select(['profile_id', 'last_message_id', 'possible_opt_outs']).where('company_id', '=', a.companyId).where('profile_id', 'in', profileIds).orderBy('profile_id').execute();
    const messages = await db.selectFrom('messages').select(['profile_id', 'id', 'possible_opt_out']).where('company_id', '=', a.companyId).where('profile_id', 'in', profileIds).execute();
    const expected = [...profileIds].sort((x, y) => x - y).map((id) => {
      const own = messages.filter((m) => m.profile_id === id);
      return { profile_id: id, last_message_id: Math.max(...own.map((m) => m.id)), possible_opt_outs: own.filter((m) => m.possible_opt_out).length };
    });
    return { conversations, expected };
  }

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Dispatch');
    gateway = new RecordingGateway();
    messaging = new Messaging(t.database, gateway, undefined);
  });
  afterAll(async () => {
    await messaging?.close();
  });

  it('answers with the reply queued, then hands it off after the commit', async () => {
    const result = await inbound('+13125550001', 'HELP');
    expect(result.profileCreated).toBe(true);
    expect(result.replies).toEqual([expect.objectContaining({ body: DEFAULT_HELP_TEXT, status: 'queued', direction: 'outbound' })]);
    const [handed] = await result.handoffs;
    expect(handed).toMatchObject({ id: result.replies[0]!.id, status: 'sent' });
    expect(gateway.sent.filter((m) => m.to === '+13125550001').map((m) => m.body)).toEqual([DEFAULT_HELP_TEXT]);
  });

  it('a reply whose handoff failed stays queued and the sweep hands it off exactly once', async () => {
    gateway.down = true;
    const result = await inbound('+13125550002', 'help');
    await expect(result.handoffs).rejects.toThrow('process stopped');
    await messaging.idle();
    const stored = await t.call(a.apiKey, 'GET', `/api/v1/profiles/${result.profileId}/messages`);
    expect(stored.json().data.find((m: { id: number }) => m.id === result.replies[0]!.id)).toMatchObject({ status: 'queued' });
    gateway.down = false;
    // Not yet stale: the sweep leaves it to the dispatcher.
    expect(await messaging.sweepQueued(60_000)).toBe(0);
    expect(await messaging.sweepQueued(0)).toBe(1);
    expect(await messaging.sweepQueued(0)).toBe(0);
    expect(gateway.sent.filter((m) => m.to === '+13125550002').map((m) => m.body)).toEqual([DEFAULT_HELP_TEXT]);
  });

  it('a reply queued before its number\'s STOP is refused at the sweep\'s handoff', async () => {
    const result = await helpLeftQueued('+13125550003');
    await (await inbound('+13125550003', 'STOP')).handoffs;
    expect(await messaging.sweepQueued(0)).toBe(1);
    const stored = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${result.profileId}/messages`)).json().data;
    expect(stored.find((m: { id: number }) => m.id === result.replies[0]!.id)).toMatchObject({ status: 'failed', error_code: 'not_textable' });
    expect(gateway.sent.filter((m) => m.to === '+13125550003').map((m) => m.body)).not.toContain(DEFAULT_HELP_TEXT);
  });

  it('a handoff left sending by a process that stopped is handed off by the sweep once its lease is over', async () => {
    const result = await helpLeftQueued('+13125550005');
    const id = result.replies[0]!.id;
    // As a process that died between its lease and the gateway's answer leaves it: first with the lease still live.
    const lease = (until: string) => t.database.db.updateTable('messages').set({ status: 'sending', lease_until: until }).where('company_id', '=', a.companyId).where('id', '=', id).execute();
    await lease(new Date(Date.now() + 60_000).toISOString());
    expect(await messaging.sweepQueued(0)).toBe(0);
    await lease(new Date(Date.now() - 1_000).toISOString());
    expect(await messaging.sweepQueued(0)).toBe(1);
    expect(gateway.sent.filter((m) => m.to === '+13125550005').map((m) => m.body)).toEqual([DEFAULT_HELP_TEXT]);
    const stored = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${result.profileId}/messages`)).json().data;
    expect(stored.find((m: { id: number }) => m.id === id)).toMatchObject({ status: 'sent' });
  });

  it('an opt-out waits for a send under way to the same number, and commits after it', async () => {
    const result = await helpLeftQueued('+13125550006');
    const id = result.replies[0]!.id;
    await t.database.db.updateTable('messages').set({ status: 'sending', lease_until: new Date(Date.now() + 60_000).toISOString() }).where('company_id', '=', a.companyId).where('id', '=', id).execute();
    const order: string[] = [];
    const stop = inbound('+13125550006', 'STOP').then(() => order.push('STOP committed'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push('gateway answered');
    await t.database.db.updateTable('messages').set({ status: 'sent', lease_until: null }).where('company_id', '=', a.companyId).where('id', '=', id).execute();
    await stop;
    expect(order).toEqual(['gateway answered', 'STOP committed']);
    expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${result.profileId}`)).json()).toMatchObject({ opted_out_source: 'Texted a STOP word' });
  });

  it('plain texts from a known number (one statement) record the message, its conversation and a possible opt-out, once per gateway id', async () => {
    const first = await inbound('+13125550007', 'hello');
    expect(first.profileCreated).toBe(true);
    const plain = await messaging.handleInbound(a.companyId, { gatewayMessageId: 'PLAIN-1', from: '(312) 555-0007', to: '+12025550100', body: 'please remove me from this list', receivedAt: new Date().toISOString() });
    expect(plain).toMatchObject({ profileId: first.profileId, profileCreated: false, duplicate: false, replies: [] });
    expect(plain.message).toMatchObject({ direction: 'inbound', status: 'received', possible_opt_out: true, intent: 'other', profile_id: first.profileId });
    const again = await messaging.handleInbound(a.companyId, { gatewayMessageId: 'PLAIN-1', from: '+13125550007', to: '+12025550100', body: 'please remove me from this list', receivedAt: new Date().toISOString() });
    expect(again).toMatchObject({ duplicate: true, message: { id: plain.message.id } });
    const stored = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${first.profileId}/messages`)).json().data;
    expect(stored.map((m: { body: string }) => m.body)).toEqual(['please remove me from this list', 'hello']);
    const flagged = (await t.call(a.apiKey, 'GET', '/api/v1/inbox?possible_opt_out=true')).json().data;
    expect(flagged.filter((e: { profile_id: number }) => e.profile_id === first.profileId)).toEqual([expect.objectContaining({ possible_opt_out: true, last_message: expect.objectContaining({ id: plain.message.id }) })]);
  });

  it('a STOP after the person\'s own STOP, and a keyword from an opted-out profile, are recorded and change nothing else', async () => {
    const auth = { companyId: a.companyId, role: 'admin' as const, actor: { type: 'system' as const, id: null, label: 'test' }, via: 'api_key' as const };
    const campaign = await createCampaign(t.database, auth, { name: 'Inert' });
    await createOptInPath(t.database, auth, campaign.id, { name: 'Inert path', keywords: ['INERTKW'], welcome_message: 'Welcome to Inert' });
    const first = await inbound('+13125550008', 'STOP');
    await first.handoffs;
    const audits = async () => (await t.call(a.apiKey, 'GET', `/api/v1/audit-log?entity_type=profile&entity_id=${first.profileId}`)).json().data.length;
    const before = { audits: await audits(), sent: gateway.sent.length };
    const again = await inbound('+13125550008', 'Stop!');
    expect(again).toMatchObject({ profileId: first.profileId, replies: [], message: { intent: 'stop', possible_opt_out: false } });
    const keyword = await inbound('+13125550008', 'inertkw');
    expect(keyword).toMatchObject({ profileId: first.profileId, replies: [], message: { intent: 'keyword', campaign_id: campaign.id } });
    await messaging.idle();
    expect({ audits: await audits(), sent: gateway.sent.length }).toEqual(before);
    const subscriptions = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${first.profileId}`)).json().subscriptions;
    expect(subscriptions).toEqual([]);
    // Opted out by staff, a STOP is not inert: it becomes the person's own STOP (firmer), with its confirmation.
    const staff = await inbound('+13125550009', 'hello');
    expect((await t.call(a.apiKey, 'POST', `/api/v1/profiles/${staff.profileId}/opt-out`, { reason: 'Opt-out from profile' })).statusCode).toBe(200);
    const stop = await inbound('+13125550009', 'STOP');
    expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${staff.profileId}`)).json()).toMatchObject({ opted_out_source: 'Texted a STOP word' });
    expect(stop.message).toMatchObject({ intent: 'stop' });
  });

  it('a report of sent or delivered alone is one statement for a message the gateway answered for, and nothing for any other', async () => {
    const help = await inbound('+13125550041', 'help');
    const [reply] = await help.handoffs;
    const stored = (id: number) => t.database.db.selectFrom('messages').select(['status', 'gateway_message_id', 'updated_at']).where('company_id', '=', a.companyId).where('id', '=', id).executeTakeFirstOrThrow();
    const handedOff = await stored(reply!.id);
    expect(handedOff).toMatchObject({ status: 'sent', gateway_message_id: expect.stringMatching(/^RG/) });
    const sid = handedOff.gateway_message_id!;
    const at = new Date(Date.now() + 1000).toISOString();
    // Another attempt's id, another gateway, another company: nothing.
    expect(await recordDeliveryProgress(t.database, a.companyId, reply!.id, gateway.name, 'RG-other', 'delivered', at)).toBeUndefined();
    expect(await recordDeliveryProgress(t.database, a.companyId, reply!.id, 'twilio', sid, 'delivered', at)).toBeUndefined();
    const b = await t.company('Dispatch other');
    expect(await recordDeliveryProgress(t.database, b.companyId, reply!.id, gateway.name, sid, 'delivered', at)).toBeUndefined();
    expect(await stored(reply!.id)).toEqual(handedOff);
    // `sent` again changes nothing; `delivered` moves it on, once.
    expect(await recordDeliveryProgress(t.database, a.companyId, reply!.id, gateway.name, sid, 'sent', at)).toMatchObject({ id: reply!.id, status: 'sent' });
    expect(await stored(reply!.id)).toEqual(handedOff);
    expect(await recordDeliveryProgress(t.database, a.companyId, reply!.id, gateway.name, sid, 'delivered', at)).toMatchObject({ id: reply!.id, status: 'delivered', updated_at: at });
    expect(await recordDeliveryProgress(t.database, a.companyId, reply!.id, gateway.name, sid, 'delivered', at)).toBeUndefined();
    // Through applyDeliveryReport: a later `sent` leaves it delivered.
    expect(await messaging.applyDeliveryReport(a.companyId, { gatewayMessageId: sid, status: 'sent' }, reply!.id)).toMatchObject({ status: 'delivered' });
    // A message still queued (its handoff failed) is left to the general path, which ignores a report for another id.
    const queued = await helpLeftQueued('+13125550042');
    expect(await recordDeliveryProgress(t.database, a.companyId, queued.replies[0]!.id, gateway.name, sid, 'sent', at)).toBeUndefined();
    expect(await messaging.applyDeliveryReport(a.companyId, { gatewayMessageId: sid, status: 'delivered' }, queued.replies[0]!.id)).toBeNull();
    expect((await stored(queued.replies[0]!.id)).status).toBe('queued');
  });

  it('a keyword from a profile already subscribed to its campaign is inert; from one that is not, it subscribes', async () => {
    const auth = { companyId: a.companyId, role: 'admin' as const, actor: { type: 'system' as const, id: null, label: 'test' }, via: 'api_key' as const };
    const campaign = await createCampaign(t.database, auth, { name: 'Again' });
    await createOptInPath(t.database, auth, campaign.id, { name: 'Again path', keywords: ['AGAINKW'], welcome_message: 'Welcome again' });
    const [subscribed, unsubscribed] = ['+13125550031', '+13125550032'];
    const first = await inbound(subscribed!, 'againkw');
    expect(first.replies.map((m) => m.body)).toEqual(['Welcome again']);
    await first.handoffs;
    const other = await inbound(unsubscribed!, 'hello');
    const keyword = (phone: string, sid: string) => ({
      phone, body: 'AGAINKW', gateway: gateway.name, gatewayMessageId: sid, possibleOptOut: false, intent: 'keyword' as const, campaignId: campaign.id,
      when: 'keyword' as const, at: new Date().toISOString(),
    });
    // One at a time (PostgreSQL: the single-text statement), then together (its batch statement).
    expect((await recordInertInbound(t.database, a.companyId, keyword(subscribed!, 'AGAIN-1'))).outcome).toBe('recorded');
    expect((await recordInertInbound(t.database, a.companyId, keyword(unsubscribed!, 'AGAIN-2'))).outcome).toBe('not_inert');
    const together = await Promise.all([keyword(subscribed!, 'AGAIN-3'), keyword(unsubscribed!, 'AGAIN-4')].map((x) => recordInertInbound(t.database, a.companyId, x)));
    expect(together.map((r) => r.outcome)).toEqual(['recorded', 'not_inert']);

    // Through the webhook's path: recorded and answered with nothing, audited nothing, the subscription as it was.
    await messaging.idle();
    const audits = async () => (await t.call(a.apiKey, 'GET', '/api/v1/audit-log?limit=500')).json().data.length;
    const before = { audits: await audits(), sent: gateway.sent.length };
    const again = await inbound(subscribed!, 'AgainKW!');
    expect(again).toMatchObject({ profileId: first.profileId, replies: [], message: { intent: 'keyword', campaign_id: campaign.id } });
    await messaging.idle();
    expect({ audits: await audits(), sent: gateway.sent.length }).toEqual(before);
    expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${first.profileId}`)).json().subscriptions).toMatchObject([{ campaign_id: campaign.id, status: 'active' }]);
    // The profile without a subscription is subscribed by its keyword, with the welcome.
    const joined = await inbound(unsubscribed!, 'againkw');
    expect(joined).toMatchObject({ profileId: other.profileId, replies: [{ body: 'Welcome again' }] });
    const { conversations, expected } = await conversationsOf([first.profileId, other.profileId]);
    expect(conversations).toEqual(expected);
  });

  it('many inert texts at once, several per profile and one gateway id twice, are each recorded once, with their conversations', async () => {
    const phones = ['+13125550101', '+13125550102', '+13125550103', '+13125550104', '+13125550105'];
    const profileIds: number[] = [];
    for (const phone of phones) profileIds.push((await inbound(phone, 'hello')).profileId);
    // More texts than one PostgreSQL batch takes; every third one flagged as a possible opt-out; text 8 comes twice.
    const texts = Array.from({ length: 250 }, (_, i) => ({ phone: phones[i % phones.length]!, body: i % 3 ? `plain ${i}` : `please remove me ${i}`, sid: `MANY-${i}` }));
    texts.splice(9, 0, { ...texts[8]! });
    const { result: results, batches, failures } = await batchesDuring(() => Promise.all(texts.map((x) => inbound(x.phone, x.body, x.sid))));
    if (engine === 'postgres') {
      expect(batches.map((b) => b.length)).toEqual([INERT_BATCH_TEXTS, texts.length - INERT_BATCH_TEXTS]);
      expect(batches.flat().sort()).toEqual(texts.map((x) => x.body).sort());
    }
    expect(failures).toEqual([]);
    // The second delivery of text 8 is answered as a duplicate, with the first one's message.
    expect(results.filter((r) => r.duplicate)).toEqual([expect.objectContaining({ message: expect.objectContaining({ id: results[8]!.message.id }) })]);
    expect(results[9]!.duplicate).toBe(true);
    results.forEach((r, i) => expect(r.message).toMatchObject({ body: texts[i]!.body, profile_id: profileIds[phones.indexOf(texts[i]!.phone)], possible_opt_out: texts[i]!.body.startsWith('please') }));
    const stored = await t.database.db.selectFrom('messages').select(['gateway_message_id', 'id']).where('company_id', '=', a.companyId).where('gateway_message_id', 'like', 'MANY-%').execute();
    expect(stored.length).toBe(250);
    expect(new Set(stored.map((m) => m.id))).toEqual(new Set(results.map((r) => r.message.id)));
    const { conversations, expected } = await conversationsOf(profileIds);
    expect(conversations).toEqual(expected);
    expect(expected.reduce((sum, c) => sum + c.possible_opt_outs, 0)).toBe(84);
  });

  it('texts that are not inert, batched with inert ones, take the general path and do all it does', async () => {
    const [known, stopped, stopping] = ['+13125550111', '+13125550112', '+13125550113'];
    const knownId = (await inbound(known!, 'hello')).profileId;
    const stoppedId = (await inbound(stopped!, 'STOP')).profileId;
    const stoppingId = (await inbound(stopping!, 'hello')).profileId;
    await messaging.idle();
    const sent = gateway.sent.length;
    const texts: Array<[string, string]> = [[known!, 'one more'], ['+13125550114', 'first text'], [stopped!, 'STOP'], [stopping!, 'STOP'], [known!, 'two more'], ['+13125550115', 'hi there'], [known!, 'three more']];
    const { result: results, batches, failures } = await batchesDuring(() => Promise.all(texts.map(([phone, body]) => inbound(phone, body))));
    if (engine === 'postgres') expect(batches).toEqual([texts.map(([, body]) => body)]);
    expect(failures).toEqual([]);
    expect(results.map((r) => [r.profileCreated, r.duplicate, r.replies.map((m) => m.body)])).toEqual([
      [false, false, []], [true, false, []], [false, false, []], [false, false, [DEFAULT_STOP_REPLY]], [false, false, []], [true, false, []], [false, false, []],
    ]);
    expect(results.map((r) => r.profileId).filter((_, i) => i !== 1 && i !== 5)).toEqual([knownId, stoppedId, stoppingId, knownId, knownId]);
    expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${stoppingId}`)).json()).toMatchObject({ opted_out_source: 'Texted a STOP word' });
    for (const created of [results[1]!, results[5]!]) {
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${created.profileId}/messages`)).json().data.map((m: { id: number }) => m.id)).toEqual([created.message.id]);
    }
    await messaging.idle();
    expect(gateway.sent.slice(sent).map((m) => [m.to, m.body])).toEqual([[stopping, DEFAULT_STOP_REPLY]]);
    const { conversations, expected } = await conversationsOf([knownId, stoppedId, stoppingId, results[1]!.profileId, results[5]!.profileId]);
    expect(conversations).toEqual(expected);
  });

  // PostgreSQL refuses a NUL in text (SQLite stores it), which fails the whole batch's statement.
  if (engine === 'postgres') {
    it('a text the database refuses fails alone, not the texts batched with it', async () => {
      const phone = '+13125550121';
      const profileId = (await inbound(phone, 'hello')).profileId;
      const bodies = ['before it', 'nul \u0000 here', 'after it', 'last one'];
      const { result: settled, batches, failures } = await batchesDuring(() => Promise.allSettled(bodies.map((body) => inbound(phone, body))));
      expect(batches).toEqual([bodies]);
      expect(failures).toHaveLength(1);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const stored = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${profileId}/messages`)).json().data;
      expect(stored.map((m: { body: string }) => m.body).sort()).toEqual(['after it', 'before it', 'hello', 'last one']);
      const { conversations, expected } = await conversationsOf([profileId]);
      expect(conversations).toEqual(expected);
    });
  }

  it('two first messages from one new number at once make one profile', async () => {
    const [x, y] = await Promise.all([inbound('+13125550004', 'hello'), inbound('+13125550004', 'again')]);
    expect(x.profileId).toBe(y.profileId);
    expect([x.profileCreated, y.profileCreated].sort()).toEqual([false, true]);
  });
});
