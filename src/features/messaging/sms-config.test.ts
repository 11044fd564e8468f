import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { AppError } from '../../errors.js';

/** The SMS gateway's configuration (README, Configuration): the simulator by default, Twilio only with everything it needs. */

const SID = `AC${'a1'.repeat(16)}`;
const TWILIO = { ROSTER_SMS_GATEWAY: 'twilio', ROSTER_TWILIO_ACCOUNT_SID: SID, ROSTER_TWILIO_AUTH_TOKEN: 'token', ROSTER_TWILIO_FROM: '+12025550100', ROSTER_PUBLIC_URL: 'https://roster.example.org/' };

function problems(env: Record<string, string>): Array<{ field: string; value: unknown; message: string }> {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_config');
    return (error as AppError).details.problems as Array<{ field: string; value: unknown; message: string }>;
  }
  throw new Error('expected a configuration error');
}

describe('SMS gateway configuration', () => {
  it('is the simulator by default, with its rules and carriers read from the environment', () => {
    expect(loadConfig({}).sms).toEqual({ kind: 'simulator', simulator: {}, publicUrl: undefined });
    const sms = loadConfig({ ROSTER_SIMULATOR_RULES: '+12025550111=hard_bounce; +1303*=reject:30007', ROSTER_SIMULATOR_CARRIERS: '+1415*=Bay Wireless' }).sms;
    expect(sms).toMatchObject({
      kind: 'simulator',
      simulator: { rules: [{ match: '+12025550111', outcome: { kind: 'undelivered', code: '30005' } }, { match: '+1303*', outcome: { kind: 'reject', code: '30007' } }], carriers: [{ match: '+1415*', carrier: 'Bay Wireless' }] },
    });
  });

  it('reads Twilio\'s settings, with defaults for its URLs and timeout and the public URL without its trailing slash', () => {
    expect(loadConfig(TWILIO).sms).toEqual({
      kind: 'twilio',
      publicUrl: 'https://roster.example.org',
      twilio: { accountSid: SID, authToken: 'token', from: '+12025550100', apiBaseUrl: 'https://api.twilio.com', lookupBaseUrl: 'https://lookups.twilio.com', messagingBaseUrl: 'https://messaging.twilio.com', timeoutMs: 10_000 },
    });
    const service = `MG${'b2'.repeat(16)}`;
    expect(loadConfig({ ...TWILIO, ROSTER_TWILIO_FROM: '', ROSTER_TWILIO_MESSAGING_SERVICE_SID: service, ROSTER_TWILIO_TIMEOUT_MS: '2500' }).sms).toMatchObject({ twilio: { messagingServiceSid: service, timeoutMs: 2500 } });
  });

  it('refuses Twilio without its credentials, sender or public URL, naming each variable', () => {
    expect(problems({ ROSTER_SMS_GATEWAY: 'twilio' }).map((p) => p.field)).toEqual(['ROSTER_TWILIO_ACCOUNT_SID', 'ROSTER_TWILIO_AUTH_TOKEN', 'ROSTER_PUBLIC_URL', 'ROSTER_TWILIO_FROM']);
    expect(problems({ ...TWILIO, ROSTER_PUBLIC_URL: '' }).map((p) => p.field)).toEqual(['ROSTER_PUBLIC_URL']);
  });

  it('names a bad variable, its value and what is accepted', () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ ROSTER_SMS_GATEWAY: 'nexmo' }, 'ROSTER_SMS_GATEWAY', 'nexmo'],
      [{ ...TWILIO, ROSTER_TWILIO_ACCOUNT_SID: 'AC123' }, 'ROSTER_TWILIO_ACCOUNT_SID', 'AC123'],
      [{ ...TWILIO, ROSTER_PUBLIC_URL: 'roster.example.org' }, 'ROSTER_PUBLIC_URL', 'roster.example.org'],
      [{ ...TWILIO, ROSTER_TWILIO_TIMEOUT_MS: '10' }, 'ROSTER_TWILIO_TIMEOUT_MS', '10'],
      [{ ...TWILIO, ROSTER_TWILIO_API_BASE_URL: 'ftp://x' }, 'ROSTER_TWILIO_API_BASE_URL', 'ftp://x'],
      [{ ROSTER_SIMULATOR_RULES: '+12025550111=explode' }, 'ROSTER_SIMULATOR_RULES[0]', '+12025550111=explode'],
      [{ ROSTER_SIMULATOR_CARRIERS: 'everyone=Acme' }, 'ROSTER_SIMULATOR_CARRIERS[0]', 'everyone=Acme'],
    ];
    for (const [env, field, value] of cases) {
      const [problem] = problems(env);
      expect(problem, field).toMatchObject({ field, value });
      expect(problem!.message, field).toMatch(/accepted|expected/);
    }
  });
});
