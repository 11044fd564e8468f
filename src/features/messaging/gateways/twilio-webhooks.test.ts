import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { signedTwilioWebhook, twilioInboundParams } from '../../../../test/stand-ins/twilio.js';
import { formParams, parseDeactivationList, parseInboundWebhook, parseStatusCallback, validateTwilioSignature } from './twilio.js';

// A second, deliberately naive implementation of Twilio's documented algorithm.
function independentSignature(token: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const key of Object.keys(params).sort()) data += key + params[key];
  return createHmac('sha1', token).update(data).digest('base64');
}

// Twilio's published example (its security docs and the twilio-php / twilio-csharp test suites).
const DOC_TOKEN = '12345';
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const DOC_PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const DOC_SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('validateTwilioSignature', () => {
  it("accepts Twilio's documented example", () => {
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).toBe(true);
  });

  it('agrees with the independent implementation on the documented example', () => {
    expect(independentSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS)).toBe(DOC_SIGNATURE);
  });

  it("accepts Twilio's documented signatures over the URL with the default port written", () => {
    // From twilio-php's RequestValidatorTest: the same request signed as https://…:443/… and http://…:80/….
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, 'kvajT1Ptam85bY51eRf/AJRuM3w=')).toBe(true);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL.replace('https', 'http'), DOC_PARAMS, '0ZXoZLH/DfblKGATFgpif+LLRf4=')).toBe(true);
    expect(validateTwilioSignature(DOC_TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', DOC_PARAMS, DOC_SIGNATURE)).toBe(true);
  });

  it("accepts Twilio's documented signature for repeated parameters and for credentials in the URL", () => {
    const repeated = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] };
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, repeated, 'IK+Dwps556ElfBT0I3Rgjkr1wJU=')).toBe(true);
    expect(
      validateTwilioSignature(DOC_TOKEN, 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2', DOC_PARAMS, 'CukzLTc1tT5dXEDIHm/tKBanW10='),
    ).toBe(true);
  });

  it('refuses a forged, empty or missing signature', () => {
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8')).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=')).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, '')).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, undefined)).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, DOC_PARAMS, '王'.repeat(28))).toBe(false);
  });

  it('refuses when any parameter, the URL or the token differs', () => {
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, { ...DOC_PARAMS, Digits: '9999' }, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, { ...DOC_PARAMS, Extra: '' }, DOC_SIGNATURE)).toBe(false);
    const { Digits: _dropped, ...withoutDigits } = DOC_PARAMS;
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL, withoutDigits, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, `${DOC_URL}&baz=3`, DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, 'https://mycompany.com/other.php?foo=1&bar=2', DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, 'https://evil.example/myapp.php?foo=1&bar=2', DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature(DOC_TOKEN, DOC_URL.replace('https', 'http'), DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature('12346', DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
    expect(validateTwilioSignature('', DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).toBe(false);
  });

  it('refuses a signature made for a different non-default port', () => {
    const params = { MessageSid: 'SM1', Body: 'hi' };
    const signature = independentSignature('t', 'https://roster.example:9443/hook', params);
    expect(validateTwilioSignature('t', 'https://roster.example:9443/hook', params, signature)).toBe(true);
    expect(validateTwilioSignature('t', 'https://roster.example:8443/hook', params, signature)).toBe(false);
  });

  it('matches the independent implementation on any request, and any single change breaks it', () => {
    const key = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(key, fc.string({ maxLength: 30 }), { maxKeys: 12 }),
        key,
        (token, url, params, changedKey) => {
          const signature = independentSignature(token, url, params);
          expect(validateTwilioSignature(token, url, params, signature)).toBe(true);
          const changed = { ...params, [changedKey]: `${params[changedKey] ?? ''}x` };
          expect(validateTwilioSignature(token, url, changed, signature)).toBe(false);
          expect(validateTwilioSignature(`${token}x`, url, params, signature)).toBe(false);
          expect(validateTwilioSignature(token, `${url}x`, params, signature)).toBe(false);
        },
      ),
    );
  });

  it('validates what the stand-in helper signs for a webhook, after a round trip through form encoding', () => {
    const url = 'https://roster.example/api/v1/webhooks/twilio/messages?company=7';
    const params = twilioInboundParams({ accountSid: `AC${'0'.repeat(32)}`, from: '+12025550143', to: '+12025550100', body: 'Stop & go + 100% ✓' });
    const request = signedTwilioWebhook('secret-token', url, params);
    const received = formParams(request.payload);
    expect(received).toEqual(params);
    expect(validateTwilioSignature('secret-token', url, received, request.headers['x-twilio-signature'])).toBe(true);
    expect(validateTwilioSignature('secret-token', url, { ...received, Body: 'STOP' }, request.headers['x-twilio-signature'])).toBe(false);
  });
});

describe('formParams', () => {
  it('decodes plus signs and percent escapes and keeps repeated names', () => {
    expect(formParams('From=%2B12025550143&Body=hi+there&MediaUrl=a&MediaUrl=b')).toEqual({
      From: '+12025550143',
      Body: 'hi there',
      MediaUrl: ['a', 'b'],
    });
  });
});

describe('parseInboundWebhook', () => {
  const base = twilioInboundParams({ accountSid: `AC${'1'.repeat(32)}`, from: '+12025550143', to: '+12025550100', body: 'JOIN', messageSid: `SM${'a'.repeat(32)}` });

  it('normalises the fields Roster needs', () => {
    expect(parseInboundWebhook(base, '2025-01-02T03:04:05.000Z')).toEqual({
      gatewayMessageId: `SM${'a'.repeat(32)}`,
      from: '+12025550143',
      to: '+12025550100',
      body: 'JOIN',
      receivedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it.each(['STOP', 'START', 'HELP', 'stop'])('reads OptOutType %s', (type) => {
    expect(parseInboundWebhook({ ...base, OptOutType: type }).optOutType).toBe(type.toUpperCase());
  });

  it('ignores an OptOutType it does not know', () => {
    expect(parseInboundWebhook({ ...base, OptOutType: 'MAYBE' }).optOutType).toBeUndefined();
  });

  it('takes an absent Body (a picture-only message) as empty', () => {
    const { Body: _body, ...withoutBody } = base;
    expect(parseInboundWebhook(withoutBody).body).toBe('');
  });

  it('names every missing field at once', () => {
    const { From: _from, MessageSid: _sid, ...broken } = base;
    const error = catchError(() => parseInboundWebhook(broken));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_input');
    expect(error.message).toContain('MessageSid');
    expect(error.message).toContain('From');
  });

  it('refuses a field sent twice', () => {
    expect(() => parseInboundWebhook({ ...base, From: ['+12025550143', '+12025550144'] })).toThrow(/From.*more than once/);
  });
});

describe('parseStatusCallback', () => {
  const sid = `SM${'b'.repeat(32)}`;
  const base = { AccountSid: `AC${'1'.repeat(32)}`, ApiVersion: '2010-04-01', MessageSid: sid, SmsSid: sid, To: '+12025550143', From: '+12025550100' };

  it('reads a delivered report', () => {
    expect(parseStatusCallback({ ...base, MessageStatus: 'delivered', SmsStatus: 'delivered' })).toEqual({
      gatewayMessageId: sid,
      status: 'delivered',
      to: '+12025550143',
    });
  });

  it.each([
    ['undelivered', '30005', 'hard_bounce'],
    ['undelivered', '30006', 'hard_bounce'],
    ['undelivered', '30003', 'retry'],
    ['failed', '30007', 'failed'],
    ['failed', '21610', 'opted_out'],
    ['undelivered', '30008', 'retry'],
    ['failed', '', 'failed'],
  ] as const)('maps %s with ErrorCode %j to %s', (status, code, disposition) => {
    const report = parseStatusCallback({ ...base, MessageStatus: status, ErrorCode: code });
    expect(report.status).toBe(status);
    expect(report.disposition).toBe(disposition);
    expect(report.errorCode).toBe(code === '' ? undefined : code);
  });

  it.each([
    ['accepted', 'queued'],
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['read', 'delivered'],
    ['canceled', 'failed'],
  ] as const)('reads Twilio status %s as %s', (twilioStatus, status) => {
    expect(parseStatusCallback({ ...base, MessageStatus: twilioStatus }).status).toBe(status);
  });

  it('gives no disposition to a report that is not a failure', () => {
    expect(parseStatusCallback({ ...base, MessageStatus: 'sent' }).disposition).toBeUndefined();
  });

  it('refuses a status it does not know, naming the accepted ones', () => {
    expect(() => parseStatusCallback({ ...base, MessageStatus: 'teleported' })).toThrow(/MessageStatus.*accepted: accepted, scheduled/);
  });

  it('requires MessageSid and MessageStatus', () => {
    expect(() => parseStatusCallback({ To: '+12025550143' })).toThrow(/MessageSid.*MessageStatus/);
  });
});

describe('parseDeactivationList', () => {
  it('reads numbers in any of the usual US forms and skips everything else', () => {
    const text = 'phone_number\n+12025550143\r\n12025550144\n2025550145\n(202) 555-0146\n\n12345\n+442079460958\n+12025550143\n';
    expect(parseDeactivationList(text)).toEqual(['+12025550143', '+12025550144', '+12025550145', '+12025550146']);
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
