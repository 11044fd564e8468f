import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeliveryStatus } from './gateways/gateway.js';
import { GATEWAY_DISPOSITIONS } from './gateways/gateway.js';
import { bodyProblem, DEFAULT_HELP_TEXT, DEFAULT_STOP_REPLY, helpReply, MESSAGE_STATUSES, nextDeliveryStatus, optOutForDisposition, stopReply } from './message-rules.js';

const REPORTED: readonly DeliveryStatus[] = ['queued', 'sent', 'delivered', 'undelivered', 'failed'];
const FINAL = new Set(['delivered', 'undelivered', 'failed']);

describe('delivery status', () => {
  it('only moves forward, and a final status never changes, whatever order reports arrive in', () => {
    fc.assert(
      fc.property(fc.constantFrom('queued', 'sending', 'sent'), fc.array(fc.constantFrom(...REPORTED), { maxLength: 8 }), (start, reports) => {
        let status: string = start;
        for (const report of reports) {
          const next = nextDeliveryStatus(status, report);
          if (FINAL.has(status)) expect(next).toBe(status);
          expect(MESSAGE_STATUSES.indexOf(next)).toBeGreaterThanOrEqual(Math.min(MESSAGE_STATUSES.indexOf(status as never), MESSAGE_STATUSES.indexOf('delivered')));
          status = next;
        }
        // The first final report decides.
        const firstFinal = reports.find((r) => FINAL.has(r));
        if (firstFinal) expect(status).toBe(firstFinal);
      }),
    );
  });

  it('takes a report that is further along', () => {
    expect(nextDeliveryStatus('sent', 'delivered')).toBe('delivered');
    expect(nextDeliveryStatus('delivered', 'sent')).toBe('delivered');
    expect(nextDeliveryStatus('sending', 'queued')).toBe('sending');
    expect(nextDeliveryStatus('undelivered', 'delivered')).toBe('undelivered');
  });
});

describe('dispositions', () => {
  it('end textability only for a bounce, a deactivation or an opt-out at the carrier', () => {
    expect(Object.fromEntries(GATEWAY_DISPOSITIONS.map((d) => [d, optOutForDisposition(d)]))).toEqual({
      retry: null,
      failed: null,
      hard_bounce: 'Hard Bounce',
      deactivated: 'Phone was Deactivated',
      opted_out: 'Texted a STOP word',
    });
    expect(optOutForDisposition(undefined)).toBeNull();
  });
});

describe('reply texts and bodies', () => {
  it("uses the company's texts, the built-in ones when it has none, and no STOP confirmation when it is empty", () => {
    expect(helpReply(null)).toBe(DEFAULT_HELP_TEXT);
    expect(helpReply('  ')).toBe(DEFAULT_HELP_TEXT);
    expect(helpReply('Call us')).toBe('Call us');
    expect(stopReply(null)).toBe(DEFAULT_STOP_REPLY);
    expect(stopReply('')).toBeNull();
    expect(stopReply(' Bye ')).toBe('Bye');
  });

  it('refuses an empty or over-long body', () => {
    expect(bodyProblem('hi')).toBeNull();
    expect(bodyProblem(' \n ')).toMatch(/empty/);
    expect(bodyProblem('x'.repeat(1600))).toBeNull();
    expect(bodyProblem('x'.repeat(1601))).toMatch(/1600/);
  });
});
