import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { startTwilioStandIn, type TwilioStandIn } from '../stand-ins/twilio.js';
import { SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { TwilioGateway } from '../../src/features/messaging/gateways/twilio.js';
import { DEFAULT_STOP_REPLY } from '../../src/features/messaging/message-rules.js';
import { Messaging } from '../../src/features/messaging/messaging.service.js';
import { AppError } from '../../src/errors.js';

/**
 * The send invariant (SPEC §3): many sends race STOPs for the same numbers, on both engines, and the Twilio stand-in's
 * log of what reached it is compared with the moment each STOP committed. The moment is taken inside the STOP's
 * transaction after the opt-out is written, with the profile locked: a correct engine cannot hand that number anything
 * between then and the commit, so every request the stand-in logged for the number after that point (other than the
 * STOP's own confirmation) is a message handed over after its STOP.
 */
describeEachEngine('the send invariant', (engine) => {
  let standIn: TwilioStandIn;
  let t: TestApp;
  let a: TestCompany;
  let messaging: Messaging;

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
    t = await testApp(engine);
    a = await t.company('Invariant');
    const gateway = new TwilioGateway({ accountSid: standIn.accountSid, authToken: standIn.authToken, from: '+12025550100', apiBaseUrl: standIn.baseUrl, lookupBaseUrl: standIn.baseUrl, timeoutMs: 10_000 });
    messaging = new Messaging(t.database, gateway, undefined);
  });
  afterAll(async () => {
    await messaging?.close();
    await standIn?.close();
  });

  it('no message reaches the gateway after its number\'s STOP committed', async () => {
    const PROFILES = 16;
    const SENDS_EACH = 10;
    const phones = Array.from({ length: PROFILES }, (_, i) => `+1312555${String(1000 + i)}`);
    const ids: number[] = [];
    for (const phone of phones) ids.push((await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: phone })).json().id);
    // A slow gateway widens the window in which a STOP can arrive during a handoff.
    for (const phone of phones) standIn.script(phone, { kind: 'accept', delayMs: 3 });

    const stopMark = new Map<string, number>();
    const outcomes = { handedOver: 0, refusedAtRecord: 0, refusedAtHandoff: 0 };
    const work: Array<Promise<void>> = [];
    phones.forEach((phone, i) => {
      // Each number gets a stream of sends, one after another, while its STOP arrives somewhere in the middle.
      work.push((async () => {
        for (let k = 0; k < SENDS_EACH; k++) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
          try {
            const message = await messaging.sendMessage(a.companyId, SYSTEM_ACTOR, ids[i]!, `message ${k} to ${phone}`);
            if (message.status === 'failed' && message.error_code === 'not_textable') outcomes.refusedAtHandoff += 1;
            else outcomes.handedOver += 1;
          } catch (error) {
            if (!(error instanceof AppError) || error.code !== 'not_textable') throw error;
            outcomes.refusedAtRecord += 1;
          }
        }
      })());
      work.push((async () => {
        await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 2000));
        await messaging.handleInbound(
          a.companyId,
          { gatewayMessageId: `SM-stop-${i}`, from: phone, to: '+12025550100', body: 'STOP', receivedAt: new Date().toISOString() },
          { stopCommitting: () => stopMark.set(phone, standIn.requests.length) },
        );
      })());
    });
    await Promise.all(work);
    // STOP confirmations are handed off after their STOP's transaction, outside handleInbound: wait for them too.
    await messaging.idle();

    expect(stopMark.size).toBe(PROFILES);
    const late: string[] = [];
    standIn.requests.forEach((request, index) => {
      const to = request.form.To as string | undefined;
      if (!to || !request.path.endsWith('/Messages.json')) return;
      if (index >= stopMark.get(to)! && request.form.Body !== DEFAULT_STOP_REPLY) late.push(`${to}: ${String(request.form.Body)} (request ${index}, STOP at ${stopMark.get(to)})`);
    });
    console.log(`[${engine}] send invariant: ${JSON.stringify(outcomes)}`);
    expect(late).toEqual([]);
    // The race happened: some messages went out before their STOP and some were refused after it.
    expect(outcomes.handedOver).toBeGreaterThan(0);
    expect(outcomes.refusedAtRecord + outcomes.refusedAtHandoff).toBeGreaterThan(0);
    expect(outcomes.handedOver + outcomes.refusedAtRecord + outcomes.refusedAtHandoff).toBe(PROFILES * SENDS_EACH);
    // Every profile is opted out, and every request the stand-in got is accounted for by a message marked handed over.
    for (const id of ids) expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).json()).toMatchObject({ opted_out_source: 'Texted a STOP word' });
    const confirmations = standIn.requests.filter((r) => r.form.Body === DEFAULT_STOP_REPLY).length;
    expect(standIn.messages.length).toBe(outcomes.handedOver + confirmations);
  });
});
