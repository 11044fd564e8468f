import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import type { OutboundSms, SendResult, SmsGateway } from '../../src/features/messaging/gateways/gateway.js';
import { DEFAULT_HELP_TEXT } from '../../src/features/messaging/message-rules.js';
import { Messaging } from '../../src/features/messaging/messaging.service.js';
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
  const inbound = (from: string, body: string) => messaging.handleInbound(a.companyId, { gatewayMessageId: `IN${++line}`, from, to: '+12025550100', body, receivedAt: new Date().toISOString() });

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
    gateway.down = true;
    const result = await inbound('+13125550003', 'help');
    await result.handoffs.catch(() => undefined);
    gateway.down = false;
    await (await inbound('+13125550003', 'STOP')).handoffs;
    expect(await messaging.sweepQueued(0)).toBe(1);
    const stored = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${result.profileId}/messages`)).json().data;
    expect(stored.find((m: { id: number }) => m.id === result.replies[0]!.id)).toMatchObject({ status: 'failed', error_code: 'not_textable' });
    expect(gateway.sent.filter((m) => m.to === '+13125550003').map((m) => m.body)).not.toContain(DEFAULT_HELP_TEXT);
  });

  it('a handoff left sending by a process that stopped is handed off by the sweep once its lease is over', async () => {
    gateway.down = true;
    const result = await inbound('+13125550005', 'help');
    await result.handoffs.catch(() => undefined);
    gateway.down = false;
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
    gateway.down = true;
    const result = await inbound('+13125550006', 'help');
    await result.handoffs.catch(() => undefined);
    gateway.down = false;
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

  it('two first messages from one new number at once make one profile', async () => {
    const [x, y] = await Promise.all([inbound('+13125550004', 'hello'), inbound('+13125550004', 'again')]);
    expect(x.profileId).toBe(y.profileId);
    expect([x.profileCreated, y.profileCreated].sort()).toEqual([false, true]);
  });
});
