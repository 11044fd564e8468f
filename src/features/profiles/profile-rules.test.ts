import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveStatus, describeStatus, SUBSCRIPTION_STATUSES } from './profile-rules.js';

describe('deriveStatus', () => {
  it('puts invalid data before everything, then opt-out', () => {
    expect(deriveStatus({ phoneValid: false, optedOutAt: '2024-01-01T00:00:00.000Z', activeSubscriptions: 2 })).toBe('Invalid Profile Data');
    expect(deriveStatus({ phoneValid: true, optedOutAt: '2024-01-01T00:00:00.000Z', activeSubscriptions: 2, crmMatched: true })).toBe('Opted Out');
    expect(deriveStatus({ phoneValid: true, optedOutAt: null, activeSubscriptions: 1, anySubscriptions: 3 })).toBe('Active Subscriber');
    expect(deriveStatus({ phoneValid: true, optedOutAt: null, activeSubscriptions: 0, anySubscriptions: 3, crmMatched: true })).toBe('Former Subscriber');
    expect(deriveStatus({ phoneValid: true, optedOutAt: null, crmMatched: true })).toBe('Synced');
    expect(deriveStatus({ phoneValid: true, optedOutAt: null })).toBe('No Subscriptions');
  });

  it('always answers one of the statuses, and only opted-out profiles are Opted Out', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.constant('2024-01-01T00:00:00.000Z')), fc.nat(3), fc.nat(3), fc.boolean(), (phoneValid, optedOutAt, active, any, crm) => {
        const status = deriveStatus({ phoneValid, optedOutAt, activeSubscriptions: active, anySubscriptions: any + active, crmMatched: crm });
        expect(SUBSCRIPTION_STATUSES).toContain(status);
        expect(status === 'Opted Out').toBe(phoneValid && optedOutAt !== null);
      }),
    );
  });
});

describe('describeStatus', () => {
  it('says Undeliverable with the reason for opted-out profiles', () => {
    expect(describeStatus('Opted Out', 'Texted a STOP word')).toBe('Undeliverable - Texted a STOP word');
    expect(describeStatus('No Subscriptions', null)).toBeNull();
    expect(describeStatus('Invalid Profile Data', null)).toMatch(/^Invalid Profile Data/);
  });
});
