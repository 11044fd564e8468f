import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { type InertInbound, recordInertInbound } from '../../src/features/messaging/messages.repository.js';
import { Messaging } from '../../src/features/messaging/messaging.service.js';
import { SimulatorGateway } from '../../src/features/messaging/gateways/simulator.js';

/**
 * Inert texts that arrive together are recorded together (one transaction on SQLite): a text that fails must fail
 * alone, and every other text of its batch must still be recorded exactly once.
 */
describeEachEngine('inert texts recorded together', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let messaging: Messaging;
  let line = 0;
  const text = (phone: string, body: string): InertInbound => ({
    phone, body, gateway: 'simulator', gatewayMessageId: `BATCH${++line}`, possibleOptOut: false, intent: 'other', campaignId: null, when: 'always', at: new Date().toISOString(),
  });

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Inert batch');
    messaging = new Messaging(t.database, new SimulatorGateway(), undefined);
    // Known numbers: their plain texts are inert.
    for (const phone of ['+13125550101', '+13125550102']) {
      await messaging.handleInbound(a.companyId, { gatewayMessageId: `FIRST${phone}`, from: phone, to: '+12025550100', body: 'hello', receivedAt: new Date().toISOString() });
    }
  });
  afterAll(async () => {
    await messaging?.close();
  });

  it('a text that fails in a batch fails alone; the others are recorded once', async () => {
    const good = [text('+13125550101', 'one'), text('+13125550102', 'two'), text('+13125550101', 'three')];
    // A body is required (messages.body NOT NULL): this one fails inside the batch.
    const bad = { ...text('+13125550102', 'x'), body: null as unknown as string };
    const outcomes = await Promise.allSettled([good[0]!, bad, good[1]!, good[2]!].map((m) => recordInertInbound(t.database, a.companyId, m)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<{ outcome: string }>).value.outcome)).toEqual(['recorded', 'recorded', 'recorded']);
    const bodies = await t.database.db.selectFrom('messages').select('body').where('company_id', '=', a.companyId).where('gateway_message_id', 'in', [...good, bad].map((m) => m.gatewayMessageId)).orderBy('id').execute();
    // Recorded again one at a time after the batch failed, they may be stored in any order.
    expect(bodies.map((r) => r.body).sort()).toEqual(['one', 'three', 'two']);
    // A repeated gateway id in the same batch: recorded once, then a duplicate.
    const again = text('+13125550101', 'four');
    const twice = await Promise.all([again, again].map((m) => recordInertInbound(t.database, a.companyId, m)));
    expect(twice.map((o) => o.outcome).sort()).toEqual(['duplicate', 'recorded']);
  });
});
