import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TWILIO_ERROR_RULES, dispositionForTwilioError, twilioErrorRule } from './error-codes.js';
import { GATEWAY_DISPOSITIONS } from './gateway.js';

describe('dispositionForTwilioError', () => {
  it.each([
    [30003, 'retry'],
    [30005, 'hard_bounce'],
    [30006, 'hard_bounce'],
    [30007, 'failed'],
    [30008, 'retry'],
    [21610, 'opted_out'],
    [21614, 'hard_bounce'],
    [21211, 'hard_bounce'],
    [30034, 'failed'],
    [30032, 'failed'],
    [20429, 'retry'],
    [30004, 'failed'],
    [30010, 'failed'],
    [21408, 'failed'],
    [21612, 'failed'],
    [21635, 'hard_bounce'],
    [30022, 'retry'],
    [30023, 'failed'],
    [20003, 'failed'],
  ] as const)('Twilio %i → %s', (code, disposition) => {
    expect(dispositionForTwilioError(code)).toBe(disposition);
    expect(dispositionForTwilioError(String(code))).toBe(disposition);
  });

  it('treats HTTP 429 and 5xx without a known code as transient', () => {
    expect(dispositionForTwilioError(undefined, 429)).toBe('retry');
    expect(dispositionForTwilioError(undefined, 500)).toBe('retry');
    expect(dispositionForTwilioError(undefined, 503)).toBe('retry');
    expect(dispositionForTwilioError(99999, 502)).toBe('retry');
  });

  it('lets a known code decide over the HTTP status', () => {
    expect(dispositionForTwilioError(21211, 400)).toBe('hard_bounce');
    expect(dispositionForTwilioError(20003, 401)).toBe('failed');
  });

  it('fails (never bounces or opts out) on a code it does not know', () => {
    expect(dispositionForTwilioError(12345)).toBe('failed');
    expect(dispositionForTwilioError(undefined, 400)).toBe('failed');
    expect(dispositionForTwilioError(null)).toBe('failed');
    expect(dispositionForTwilioError('not a code')).toBe('failed');
  });

  it('never guesses a profile-level consequence for an unknown code, whatever the HTTP status', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999 }).filter((code) => TWILIO_ERROR_RULES[code] === undefined),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        (code, status) => {
          expect(['retry', 'failed']).toContain(dispositionForTwilioError(code, status));
        },
      ),
    );
  });

  it('reads codes written with surrounding spaces, as form fields sometimes are', () => {
    expect(twilioErrorRule(' 30005 ')?.disposition).toBe('hard_bounce');
  });
});

describe('TWILIO_ERROR_RULES', () => {
  it('documents every code with a meaning and a reason', () => {
    for (const [code, rule] of Object.entries(TWILIO_ERROR_RULES)) {
      expect(GATEWAY_DISPOSITIONS, code).toContain(rule.disposition);
      expect(rule.meaning.length, code).toBeGreaterThan(5);
      expect(rule.why.length, code).toBeGreaterThan(5);
    }
  });

  it('has no code meaning deactivated: Twilio reports deactivations only through its daily list', () => {
    expect(Object.values(TWILIO_ERROR_RULES).filter((rule) => rule.disposition === 'deactivated')).toEqual([]);
  });

  it('opts a profile out only for 21610', () => {
    const optOuts = Object.entries(TWILIO_ERROR_RULES).filter(([, rule]) => rule.disposition === 'opted_out');
    expect(optOuts.map(([code]) => code)).toEqual(['21610']);
  });
});
