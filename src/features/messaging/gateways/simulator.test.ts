import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import type { DeliveryReport, SendResult } from './gateway.js';
import { SIMULATOR_OUTCOMES, SimulatorGateway, parseSimulatorCarriers, parseSimulatorRules, type SimulatorConfig } from './simulator.js';

function withReports(config?: SimulatorConfig): { simulator: SimulatorGateway; reports: DeliveryReport[] } {
  const simulator = new SimulatorGateway(config);
  const reports: DeliveryReport[] = [];
  simulator.onDeliveryReport((report) => {
    reports.push(report);
  });
  return { simulator, reports };
}

function accepted(result: SendResult): string {
  if (result.outcome !== 'accepted') throw new Error(`expected acceptance, got ${JSON.stringify(result)}`);
  return result.gatewayMessageId;
}

describe('SimulatorGateway', () => {
  it('delivers by default, reporting after send() has returned', async () => {
    const { simulator, reports } = withReports();
    const id = accepted(await simulator.send({ to: '+12025550143', body: 'Hello' }));
    expect(id).toMatch(/^SIM[0-9a-f]{32}$/);
    expect(reports).toEqual([]);
    expect(simulator.sent()[0]?.status).toBe('queued');

    await simulator.idle();
    expect(reports).toEqual([{ gatewayMessageId: id, status: 'delivered', to: '+12025550143', carrierName: 'Simulated Carrier' }]);
    expect(simulator.sent()).toEqual([
      expect.objectContaining({ gatewayMessageId: id, to: '+12025550143', from: '+12025550100', body: 'Hello', status: 'delivered', carrierName: 'Simulated Carrier' }),
    ]);
  });

  it.each([
    ['hard_bounce', { status: 'undelivered', errorCode: '30005', disposition: 'hard_bounce' }],
    ['deactivated', { status: 'undelivered', disposition: 'deactivated' }],
  ] as const)('reports %s after accepting', async (name, expected) => {
    const { simulator, reports } = withReports({ rules: [{ match: '+12025550111', outcome: SIMULATOR_OUTCOMES[name] }] });
    accepted(await simulator.send({ to: '+12025550111', body: 'hi' }));
    await simulator.idle();
    expect(reports).toEqual([expect.objectContaining(expected)]);
    expect(reports[0]?.errorCode).toBe('errorCode' in expected ? expected.errorCode : undefined);
    expect(simulator.sent()[0]).toMatchObject(expected);
  });

  it('refuses an opted-out number at send, as Twilio answers 21610', async () => {
    const { simulator, reports } = withReports({ rules: [{ match: '+12025550112', outcome: SIMULATOR_OUTCOMES.opted_out }] });
    const result = await simulator.send({ to: '+12025550112', body: 'hi' });
    expect(result).toMatchObject({ outcome: 'failed', code: '21610', disposition: 'opted_out' });
    await simulator.idle();
    expect(reports).toEqual([]);
    expect(simulator.sent()).toEqual([]);
  });

  it('takes dispositions of configured codes from the Twilio table unless told otherwise', async () => {
    const { simulator, reports } = withReports({
      rules: [
        { match: '+12025550121', outcome: { kind: 'reject', code: '30007' } },
        { match: '+12025550122', outcome: { kind: 'undelivered', code: '30003' } },
        { match: '+12025550123', outcome: { kind: 'undelivered', code: '77777' } },
        { match: '+12025550124', outcome: { kind: 'reject', code: '77777', disposition: 'hard_bounce' } },
      ],
    });
    expect(await simulator.send({ to: '+12025550121', body: 'hi' })).toMatchObject({ outcome: 'failed', code: '30007', disposition: 'failed' });
    expect(await simulator.send({ to: '+12025550124', body: 'hi' })).toMatchObject({ outcome: 'failed', code: '77777', disposition: 'hard_bounce' });
    accepted(await simulator.send({ to: '+12025550122', body: 'hi' }));
    accepted(await simulator.send({ to: '+12025550123', body: 'hi' }));
    await simulator.idle();
    expect(reports.map((r) => [r.to, r.errorCode, r.disposition])).toEqual([
      ['+12025550122', '30003', 'retry'],
      ['+12025550123', '77777', 'failed'],
    ]);
  });

  it('applies the first matching rule, prefixes included, and addRule goes first', async () => {
    const simulator = new SimulatorGateway({
      rules: [
        { match: '+12025550131', outcome: SIMULATOR_OUTCOMES.deliver },
        { match: '+1202555013*', outcome: { kind: 'reject', code: '30007' } },
        { match: '*', outcome: { kind: 'reject', code: '30004' } },
      ],
    });
    expect((await simulator.send({ to: '+12025550131', body: 'hi' })).outcome).toBe('accepted');
    expect(await simulator.send({ to: '+12025550139', body: 'hi' })).toMatchObject({ code: '30007' });
    expect(await simulator.send({ to: '+13035550100', body: 'hi' })).toMatchObject({ code: '30004' });
    simulator.addRule({ match: '+12025550131', outcome: SIMULATOR_OUTCOMES.opted_out });
    expect(await simulator.send({ to: '+12025550131', body: 'hi' })).toMatchObject({ code: '21610' });
    await simulator.idle();
  });

  it("answers Twilio's magic test numbers unless told not to", async () => {
    const simulator = new SimulatorGateway();
    expect(await simulator.send({ to: '+15005550001', body: 'hi' })).toMatchObject({ code: '21211', disposition: 'hard_bounce' });
    expect(await simulator.send({ to: '+15005550002', body: 'hi' })).toMatchObject({ code: '21612', disposition: 'failed' });
    expect(await simulator.send({ to: '+15005550003', body: 'hi' })).toMatchObject({ code: '21408', disposition: 'failed' });
    expect(await simulator.send({ to: '+15005550004', body: 'hi' })).toMatchObject({ code: '21610', disposition: 'opted_out' });
    expect(await simulator.send({ to: '+15005550009', body: 'hi' })).toMatchObject({ code: '21614', disposition: 'hard_bounce' });
    const plain = new SimulatorGateway({ twilioMagicNumbers: false });
    expect((await plain.send({ to: '+15005550001', body: 'hi' })).outcome).toBe('accepted');
    await plain.idle();
  });

  it('names carriers by rule, falling back to the default', async () => {
    const { simulator, reports } = withReports({
      carriers: [
        { match: '+1212*', carrier: 'Empire Mobile' },
        { match: '+12125550100', carrier: 'Never Reached' },
      ],
      defaultCarrier: 'Elsewhere Wireless',
    });
    expect(await simulator.lookupCarrier('+12125550100')).toBe('Empire Mobile');
    expect(await simulator.lookupCarrier('+13035550100')).toBe('Elsewhere Wireless');
    await simulator.send({ to: '+12125550199', body: 'hi' });
    await simulator.idle();
    expect(reports[0]?.carrierName).toBe('Empire Mobile');
  });

  it('answers a repeated idempotency key with the first answer and sends once', async () => {
    const { simulator, reports } = withReports();
    const first = await simulator.send({ to: '+12025550143', body: 'hi', idempotencyKey: 'attempt-1' });
    const again = await simulator.send({ to: '+12025550143', body: 'hi', idempotencyKey: 'attempt-1' });
    const other = await simulator.send({ to: '+12025550143', body: 'hi', idempotencyKey: 'attempt-2' });
    expect(again).toEqual(first);
    expect(accepted(other)).not.toBe(accepted(first));
    await simulator.idle();
    expect(simulator.sent()).toHaveLength(2);
    expect(reports).toHaveLength(2);
  });

  it('keeps only the most recent messages', async () => {
    const simulator = new SimulatorGateway({ keepSent: 3 });
    for (let i = 0; i < 5; i++) await simulator.send({ to: `+1202555014${i}`, body: `m${i}` });
    expect(simulator.sent().map((m) => m.body)).toEqual(['m2', 'm3', 'm4']);
    simulator.clear();
    expect(simulator.sent()).toEqual([]);
    await simulator.idle();
  });

  it('hands a failing listener to onListenerError and still reaches the others', async () => {
    const errors: unknown[] = [];
    const simulator = new SimulatorGateway({ onListenerError: (error) => errors.push(error) });
    const seen: string[] = [];
    simulator.onDeliveryReport(async () => {
      throw new Error('listener broke');
    });
    const stop = simulator.onDeliveryReport((report) => {
      seen.push(report.status);
    });
    await simulator.send({ to: '+12025550143', body: 'hi' });
    await simulator.idle();
    expect(seen).toEqual(['delivered']);
    expect(errors).toEqual([expect.objectContaining({ message: 'listener broke' })]);

    stop();
    await simulator.send({ to: '+12025550143', body: 'hi' });
    await simulator.idle();
    expect(seen).toEqual(['delivered']);
  });

  it('lists numbers its rules deactivate as the deactivation feed', async () => {
    const simulator = new SimulatorGateway({
      rules: [
        { match: '+12025550151', outcome: SIMULATOR_OUTCOMES.deactivated },
        { match: '+1303*', outcome: SIMULATOR_OUTCOMES.deactivated },
        { match: '+12025550152', outcome: SIMULATOR_OUTCOMES.hard_bounce },
      ],
    });
    expect(await simulator.deactivatedNumbers('2025-01-01')).toEqual(['+12025550151']);
  });

  it('shapes an inbound message as a gateway webhook would', () => {
    const inbound = new SimulatorGateway().inbound({ from: '+12025550143', body: 'STOP' });
    expect(inbound).toMatchObject({ from: '+12025550143', to: '+12025550100', body: 'STOP' });
    expect(inbound.gatewayMessageId).toMatch(/^SIM[0-9a-f]{32}$/);
    expect(Number.isNaN(Date.parse(inbound.receivedAt))).toBe(false);
  });

  it('refuses a configuration it cannot use, naming every field', () => {
    const build = () =>
      new SimulatorGateway({
        rules: [
          { match: '2025550143', outcome: SIMULATOR_OUTCOMES.deliver },
          { match: '+12025550143', outcome: { kind: 'reject', code: '' } },
          { match: '+12025550144', outcome: { kind: 'undelivered', disposition: 'bounced' as never } },
        ],
        carriers: [{ match: '+1212*', carrier: ' ' }],
        keepSent: -1,
      });
    expect(build).toThrow(AppError);
    expect(build).toThrow(/rules\[0\]\.match.*rules\[1\]\.outcome\.code.*rules\[2\]\.outcome\.disposition.*carriers\[0\]\.carrier.*keepSent/);
  });

  it('reports every accepted message exactly once and never a refused one', async () => {
    const numbers = ['+12025550101', '+12025550102', '+12025550103', '+15005550004', '+13035550100'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...numbers), { maxLength: 30 }), async (recipients) => {
        const { simulator, reports } = withReports({
          rules: [
            { match: '+12025550102', outcome: SIMULATOR_OUTCOMES.hard_bounce },
            { match: '+12025550103', outcome: { kind: 'reject', code: '30007' } },
          ],
        });
        const acceptedIds: string[] = [];
        for (const to of recipients) {
          const result = await simulator.send({ to, body: 'x' });
          if (result.outcome === 'accepted') acceptedIds.push(result.gatewayMessageId);
        }
        await simulator.idle();
        expect(reports.map((r) => r.gatewayMessageId).sort()).toEqual([...acceptedIds].sort());
        expect(acceptedIds.length).toBe(recipients.filter((to) => to !== '+12025550103' && to !== '+15005550004').length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('parseSimulatorRules', () => {
  it('reads every outcome form', () => {
    expect(
      parseSimulatorRules('+12025550111=hard_bounce; +12025550112=deactivated;+12025550113=opted_out;+1303*=reject:30007; *=undelivered:30003;+12025550114=deliver'),
    ).toEqual([
      { match: '+12025550111', outcome: SIMULATOR_OUTCOMES.hard_bounce },
      { match: '+12025550112', outcome: SIMULATOR_OUTCOMES.deactivated },
      { match: '+12025550113', outcome: SIMULATOR_OUTCOMES.opted_out },
      { match: '+1303*', outcome: { kind: 'reject', code: '30007' } },
      { match: '*', outcome: { kind: 'undelivered', code: '30003' } },
      { match: '+12025550114', outcome: SIMULATOR_OUTCOMES.deliver },
    ]);
    expect(parseSimulatorRules('')).toEqual([]);
  });

  it('names every bad entry with the variable', () => {
    expect(() => parseSimulatorRules('+12025550111=bounce;2025550111=deliver;+1=reject:abc;+1212*=toString', 'ROSTER_SIMULATOR_RULES')).toThrow(
      /ROSTER_SIMULATOR_RULES\[0\].*ROSTER_SIMULATOR_RULES\[1\]\.match.*ROSTER_SIMULATOR_RULES\[2\].*ROSTER_SIMULATOR_RULES\[3\]/,
    );
  });
});

describe('parseSimulatorCarriers', () => {
  it('reads carrier rules, keeping spaces inside names', () => {
    expect(parseSimulatorCarriers('+1212*=Empire Mobile; +1415*=Bay Area Wireless')).toEqual([
      { match: '+1212*', carrier: 'Empire Mobile' },
      { match: '+1415*', carrier: 'Bay Area Wireless' },
    ]);
  });

  it('refuses entries without a number pattern or a name', () => {
    expect(() => parseSimulatorCarriers('1212*=Empire;+1415*=', 'ROSTER_SIMULATOR_CARRIERS')).toThrow(
      /ROSTER_SIMULATOR_CARRIERS\[0\].*ROSTER_SIMULATOR_CARRIERS\[1\].*names no carrier/,
    );
  });
});
