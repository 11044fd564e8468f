import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveStatus, deriveStatusFilter, describeStatus, mergeOptOut, OPT_OUT_LIFTED_BY, OPT_OUT_REASONS, optOutLiftedBy, STAFF_OPT_OUT_REASONS, SUBSCRIPTION_STATUSES } from './profile-rules.js';

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

describe('deriveStatusFilter (SPEC §3 Subscription status filter)', () => {
  const base = { phoneValid: true, optedOutAt: null, activeOnActiveCampaigns: 0, formerOnActiveCampaigns: 0 };
  it('puts invalid and opted-out profiles only in their own filters', () => {
    expect(deriveStatusFilter({ ...base, phoneValid: false, optedOutAt: '2024-01-01T00:00:00.000Z', activeOnActiveCampaigns: 1 })).toBe('invalid');
    expect(deriveStatusFilter({ ...base, optedOutAt: '2024-01-01T00:00:00.000Z', activeOnActiveCampaigns: 1, formerOnActiveCampaigns: 1 })).toBe('opted_out');
  });
  it('counts active campaigns only: active before former before none', () => {
    expect(deriveStatusFilter({ ...base, activeOnActiveCampaigns: 1, formerOnActiveCampaigns: 2 })).toBe('active');
    expect(deriveStatusFilter({ ...base, formerOnActiveCampaigns: 1 })).toBe('former');
    expect(deriveStatusFilter(base)).toBe('none');
  });
  it('agrees with the status on opt-outs and invalid numbers, and never calls an Active or Former filter profile anything but a subscriber', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.constant('2024-01-01T00:00:00.000Z')), fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2), (phoneValid, optedOutAt, activeLive, activeEnded, formerLive, formerEnded) => {
        const filter = deriveStatusFilter({ phoneValid, optedOutAt, activeOnActiveCampaigns: activeLive, formerOnActiveCampaigns: formerLive });
        const status = deriveStatus({ phoneValid, optedOutAt, activeSubscriptions: activeLive + activeEnded, anySubscriptions: activeLive + activeEnded + formerLive + formerEnded });
        expect(filter === 'invalid').toBe(status === 'Invalid Profile Data');
        expect(filter === 'opted_out').toBe(status === 'Opted Out');
        if (filter === 'active') expect(status).toBe('Active Subscriber');
        if (filter === 'former') expect(['Active Subscriber', 'Former Subscriber']).toContain(status);
      }),
    );
  });
});

describe('opt-out reasons: who may lift them, and which one stands', () => {
  it('lets staff lift only their own, the person only a STOP, nobody a bounce or a deactivation', () => {
    expect(Object.keys(OPT_OUT_LIFTED_BY).sort()).toEqual([...OPT_OUT_REASONS].sort());
    expect(OPT_OUT_REASONS.filter((r) => OPT_OUT_LIFTED_BY[r] === 'staff')).toEqual([...STAFF_OPT_OUT_REASONS].sort((a, b) => OPT_OUT_REASONS.indexOf(a) - OPT_OUT_REASONS.indexOf(b)));
    expect(OPT_OUT_LIFTED_BY['Texted a STOP word']).toBe('person');
    expect(OPT_OUT_LIFTED_BY['Hard Bounce']).toBe('nobody');
    expect(OPT_OUT_LIFTED_BY['Phone was Deactivated']).toBe('nobody');
    expect(OPT_OUT_LIFTED_BY.Blacklisted).toBe('blacklist');
    expect(optOutLiftedBy('Something imported')).toBe('nobody');
    expect(optOutLiftedBy(null)).toBe('nobody');
  });

  it('keeps the first opt-out unless a firmer one arrives, so nothing staff can undo hides what they cannot', () => {
    const at = (n: number) => `2024-01-0${n}T00:00:00.000Z`;
    expect(mergeOptOut(null, { at: at(1), reason: 'Manual Opt-Out' })).toEqual({ at: at(1), reason: 'Manual Opt-Out' });
    expect(mergeOptOut({ at: at(1), reason: 'Manual Opt-Out' }, { at: at(2), reason: 'Texted a STOP word' })).toEqual({ at: at(2), reason: 'Texted a STOP word' });
    expect(mergeOptOut({ at: at(1), reason: 'Manual Opt-Out' }, { at: at(2), reason: 'Blacklisted' })).toEqual({ at: at(2), reason: 'Blacklisted' });
    expect(mergeOptOut({ at: at(1), reason: 'Texted a STOP word' }, { at: at(2), reason: 'Blacklisted' })).toEqual({ at: at(1), reason: 'Texted a STOP word' });
    expect(mergeOptOut({ at: at(1), reason: 'Hard Bounce' }, { at: at(2), reason: 'Texted a STOP word' })).toEqual({ at: at(1), reason: 'Hard Bounce' });
    expect(mergeOptOut({ at: at(1), reason: 'Opt-out from profile' }, { at: at(2), reason: 'Opt-out from Inbox' })).toEqual({ at: at(1), reason: 'Opt-out from profile' });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...OPT_OUT_REASONS), { minLength: 1, maxLength: 6 }), (reasons) => {
        const final = reasons.reduce<{ at: string; reason: string } | null>((current, reason, i) => mergeOptOut(current, { at: at(i + 1), reason }), null)!;
        // Staff can undo the result only if every opt-out that arrived was one staff can undo.
        expect(optOutLiftedBy(final.reason) === 'staff').toBe(reasons.every((r) => OPT_OUT_LIFTED_BY[r] === 'staff'));
        // Whatever arrived that nobody but the person or carrier may lift is never hidden behind a weaker one.
        if (reasons.some((r) => ['person', 'nobody'].includes(OPT_OUT_LIFTED_BY[r]))) expect(['person', 'nobody']).toContain(optOutLiftedBy(final.reason));
      }),
    );
  });
});
