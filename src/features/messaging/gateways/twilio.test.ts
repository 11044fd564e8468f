// The Twilio adapter end to end against the stand-in Twilio on 127.0.0.1.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../../../test/stand-ins/twilio.js';
import { GatewayError, type SendFailed, type SendResult } from './gateway.js';
import { createSmsGateway } from './index.js';
import { SimulatorGateway } from './simulator.js';
import { TwilioGateway, formParams, parseInboundWebhook, parseStatusCallback, validateTwilioSignature, type TwilioConfig } from './twilio.js';

const FROM = '+12025550100';
const MESSAGING_SERVICE = `MG${'c'.repeat(32)}`;

let twilio: TwilioStandIn;
let receiver: WebhookReceiver;

beforeAll(async () => {
  twilio = await startTwilioStandIn({ ownedNumbers: [FROM] });
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await twilio.close();
  await receiver.close();
});

afterEach(async () => {
  await twilio.callbacksSettled();
  twilio.requests.length = 0;
  receiver.received.length = 0;
});

function gateway(overrides: Partial<TwilioConfig> = {}): TwilioGateway {
  return new TwilioGateway({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: FROM,
    apiBaseUrl: twilio.baseUrl,
    lookupBaseUrl: twilio.baseUrl,
    messagingBaseUrl: twilio.baseUrl,
    ...overrides,
  });
}

function expectFailed(result: SendResult): SendFailed {
  if (result.outcome !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

describe('TwilioGateway.send', () => {
  it('POSTs a form with Basic auth to Messages.json and returns the sid', async () => {
    const result = await gateway().send({ to: '+12025550143', body: 'Hello & welcome', statusCallbackUrl: `${receiver.url}/status` });

    expect(result.outcome).toBe('accepted');
    if (result.outcome !== 'accepted') return;
    expect(result.gatewayMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.status).toBe('queued');

    const request = twilio.requests.find((r) => r.method === 'POST')!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`);
    expect(request.form).toEqual({ To: '+12025550143', From: FROM, Body: 'Hello & welcome', StatusCallback: `${receiver.url}/status` });
    expect(twilio.messages.at(-1)).toMatchObject({ sid: result.gatewayMessageId, to: '+12025550143', body: 'Hello & welcome' });
  });

  it('sends through a Messaging Service when one is configured, and reads its `accepted` status as queued', async () => {
    const result = await gateway({ from: undefined, messagingServiceSid: MESSAGING_SERVICE }).send({ to: '+12025550143', body: 'hi' });
    expect(result).toMatchObject({ outcome: 'accepted', status: 'queued' });
    const request = twilio.requests.find((r) => r.method === 'POST')!;
    expect(request.form).toEqual({ To: '+12025550143', MessagingServiceSid: MESSAGING_SERVICE, Body: 'hi' });
    expect(twilio.messages.at(-1)?.status).toBe('accepted');
  });

  it('lets a message name its own sender', async () => {
    await gateway({ messagingServiceSid: MESSAGING_SERVICE }).send({ to: '+12025550143', from: FROM, body: 'hi' });
    expect(twilio.requests.find((r) => r.method === 'POST')!.form).toEqual({ To: '+12025550143', From: FROM, Body: 'hi' });
  });

  it.each([
    [21211, 'hard_bounce'],
    [21614, 'hard_bounce'],
    [21610, 'opted_out'],
    [21408, 'failed'],
    [30007, 'failed'],
    [21612, 'failed'],
    [30003, 'retry'],
    [12345, 'failed'],
  ] as const)('turns Twilio error %i into %s', async (code, disposition) => {
    const to = `+1202555${String(code).slice(-4)}`;
    twilio.script(to, { kind: 'error', code, message: `Scripted error ${code}` });
    const failure = expectFailed(await gateway().send({ to, body: 'hi' }));
    expect(failure).toMatchObject({ code: String(code), disposition });
    expect(failure.message).toContain(`Scripted error ${code}`);
    expect(failure.message).toContain(`https://www.twilio.com/docs/errors/${code}`);
  });

  it("reports Twilio's own validation errors for a request it cannot take", async () => {
    expect(expectFailed(await gateway().send({ to: '', body: 'hi' }))).toMatchObject({ code: '21604', disposition: 'failed' });
    expect(expectFailed(await gateway().send({ to: '+12025550143', body: '' }))).toMatchObject({ code: '21602', disposition: 'failed' });
    expect(expectFailed(await gateway().send({ to: '12345', body: 'hi' }))).toMatchObject({ code: '21211', disposition: 'hard_bounce' });
    expect(expectFailed(await gateway({ from: undefined }).send({ to: '+12025550143', body: 'hi' }))).toMatchObject({ code: '21603' });
    expect(expectFailed(await gateway({ from: '+12025550199' }).send({ to: '+12025550143', body: 'hi' }))).toMatchObject({ code: '21606', disposition: 'failed' });
    expect(expectFailed(await gateway().send({ to: '+12025550143', body: 'x'.repeat(1601) }))).toMatchObject({ code: '21617', disposition: 'failed' });
  });

  it('retries on 429, on 500 and on an HTML 502 from a load balancer', async () => {
    twilio.script('+12025550161', { kind: 'rate_limit' });
    twilio.script('+12025550162', { kind: 'server_error' });
    twilio.script('+12025550163', { kind: 'server_error', html: true });
    expect(expectFailed(await gateway().send({ to: '+12025550161', body: 'hi' }))).toMatchObject({ code: '20429', disposition: 'retry' });
    expect(expectFailed(await gateway().send({ to: '+12025550162', body: 'hi' }))).toMatchObject({ code: '20500', disposition: 'retry' });
    const html = expectFailed(await gateway().send({ to: '+12025550163', body: 'hi' }));
    expect(html).toMatchObject({ code: 'http_502', disposition: 'retry' });
    expect(html.message).toContain('502 Bad Gateway');
  });

  it('succeeds on the retry after a transient refusal', async () => {
    twilio.script('+12025550164', { kind: 'rate_limit' }, { kind: 'accept' });
    expect((await gateway().send({ to: '+12025550164', body: 'hi' })).outcome).toBe('failed');
    expect((await gateway().send({ to: '+12025550164', body: 'hi' })).outcome).toBe('accepted');
  });

  it('retries when nothing listens, and knows the text was not sent', async () => {
    const closed = await unusedPort();
    const failure = expectFailed(await gateway({ apiBaseUrl: `http://127.0.0.1:${closed}` }).send({ to: '+12025550143', body: 'hi' }));
    expect(failure).toMatchObject({ code: 'network_error', disposition: 'retry', mayHaveBeenSent: false });
    expect(failure.message).toContain('ECONNREFUSED');
  });

  it('retries after a timeout or a dropped connection, warning that the text may have gone', async () => {
    twilio.script('+12025550165', { kind: 'hang' });
    twilio.script('+12025550166', { kind: 'drop' });
    const timeout = expectFailed(await gateway({ timeoutMs: 200 }).send({ to: '+12025550165', body: 'hi' }));
    expect(timeout).toMatchObject({ code: 'timeout', disposition: 'retry', mayHaveBeenSent: true });
    const dropped = expectFailed(await gateway().send({ to: '+12025550166', body: 'hi' }));
    expect(dropped).toMatchObject({ code: 'network_error', disposition: 'retry', mayHaveBeenSent: true });
  });

  it('says plainly when the credentials are wrong', async () => {
    const messagesBefore = twilio.messages.length;
    const failure = expectFailed(await gateway({ authToken: 'wrong' }).send({ to: '+12025550143', body: 'hi' }));
    expect(failure).toMatchObject({ code: '20003', disposition: 'failed' });
    expect(failure.message).toMatch(/refused Roster's credentials \(HTTP 401, error 20003\)/);
    expect(failure.message).toContain('Check the Twilio Account SID and Auth Token');
    expect(twilio.messages.length).toBe(messagesBefore);
  });

  it('refuses a configuration that cannot be a Twilio account, naming each field', () => {
    expect(() => new TwilioGateway({ accountSid: 'AC123', authToken: '', messagingServiceSid: 'MGx' })).toThrow(AppError);
    expect(() => new TwilioGateway({ accountSid: 'AC123', authToken: '', messagingServiceSid: 'MGx' })).toThrow(
      /accountSid.*authToken.*messagingServiceSid/,
    );
  });
});

describe('status callbacks from the stand-in', () => {
  it('are signed so that validateTwilioSignature accepts them, and parse into delivery reports', async () => {
    const result = await gateway().send({ to: '+12025550171', body: 'hi', statusCallbackUrl: `${receiver.url}/status?company=3` });
    if (result.outcome !== 'accepted') throw new Error('expected acceptance');
    await twilio.callbacksSettled();

    expect(receiver.received).toHaveLength(2);
    for (const callback of receiver.received) {
      expect(validateTwilioSignature(twilio.authToken, callback.url, callback.params, callback.signature)).toBe(true);
    }
    expect(receiver.received.map((c) => parseStatusCallback(c.params))).toEqual([
      { gatewayMessageId: result.gatewayMessageId, status: 'sent', to: '+12025550171' },
      { gatewayMessageId: result.gatewayMessageId, status: 'delivered', to: '+12025550171' },
    ]);
    expect(twilio.callbacks.map((c) => c.responseStatus)).toContain(204);
  });

  it('carry the error code of an undelivered message, mapped to its disposition', async () => {
    twilio.script('+12025550172', { kind: 'accept', finalStatus: 'undelivered', errorCode: 30005 });
    await gateway().send({ to: '+12025550172', body: 'hi', statusCallbackUrl: `${receiver.url}/status` });
    await twilio.callbacksSettled();
    const last = receiver.received.at(-1)!;
    expect(parseStatusCallback(last.params)).toMatchObject({ status: 'undelivered', errorCode: '30005', disposition: 'hard_bounce' });
  });

  it('are refused when forged, altered, replayed to another URL or checked with another token', async () => {
    await gateway().send({ to: '+12025550173', body: 'hi', statusCallbackUrl: `${receiver.url}/status` });
    await twilio.callbacksSettled();
    const { url, params, signature } = receiver.received.at(-1)!;
    expect(params.MessageStatus).toBe('delivered');
    expect(validateTwilioSignature(twilio.authToken, url, params, signature)).toBe(true);

    expect(validateTwilioSignature(twilio.authToken, url, params, forge(signature ?? ''))).toBe(false);
    expect(validateTwilioSignature(twilio.authToken, url, { ...params, MessageStatus: 'undelivered', ErrorCode: '30005' }, signature)).toBe(false);
    expect(validateTwilioSignature(twilio.authToken, url, { ...params, To: '+12025550199' }, signature)).toBe(false);
    expect(validateTwilioSignature(twilio.authToken, `${url}?company=4`, params, signature)).toBe(false);
    expect(validateTwilioSignature(twilio.authToken, url.replace('/status', '/inbound'), params, signature)).toBe(false);
    expect(validateTwilioSignature(`${twilio.authToken}0`, url, params, signature)).toBe(false);
  });
});

describe('inbound webhooks from the stand-in', () => {
  it('are signed, carry OptOutType, and parse into an InboundSms', async () => {
    const answer = await twilio.sendInbound(`${receiver.url}/inbound`, { from: '+12025550143', to: FROM, body: 'Stop', optOutType: 'STOP' });
    expect(answer.status).toBe(204);
    const { url, params, signature } = receiver.received.at(-1)!;
    expect(validateTwilioSignature(twilio.authToken, url, params, signature)).toBe(true);
    expect(parseInboundWebhook(params)).toMatchObject({ from: '+12025550143', to: FROM, body: 'Stop', optOutType: 'STOP' });
    expect(parseInboundWebhook(params).gatewayMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  });
});

describe('TwilioGateway.lookupCarrier', () => {
  it("reads the carrier from Lookup v2's line type intelligence", async () => {
    twilio.setLineType('+12025550181', { carrierName: 'Verizon Wireless', type: 'mobile' });
    expect(await gateway().lookupCarrier('+12025550181')).toBe('Verizon Wireless');
    const request = twilio.requests.at(-1)!;
    expect(decodeURIComponent(request.path)).toBe('/v2/PhoneNumbers/+12025550181');
    expect(request.query).toEqual({ Fields: 'line_type_intelligence' });
    expect(request.headers.authorization).toMatch(/^Basic /);
  });

  it('answers null when Twilio knows no carrier or the number is not valid', async () => {
    twilio.setLineType('+12025550182', { carrierName: null, type: 'unknown' });
    expect(await gateway().lookupCarrier('+12025550182')).toBeNull();
    expect(await gateway().lookupCarrier('12345')).toBeNull();
  });

  it('throws a GatewayError when Twilio refuses the credentials or cannot be reached', async () => {
    await expect(gateway({ authToken: 'wrong' }).lookupCarrier('+12025550181')).rejects.toMatchObject({ name: 'GatewayError', code: '20003', httpStatus: 401 });
    const closed = await unusedPort();
    await expect(gateway({ lookupBaseUrl: `http://127.0.0.1:${closed}` }).lookupCarrier('+12025550181')).rejects.toBeInstanceOf(GatewayError);
  });
});

describe('TwilioGateway.deactivatedNumbers', () => {
  it("reads the day's file that the Deactivations API points to", async () => {
    twilio.setDeactivations('2025-03-04', ['+12025550191', '+12025550192']);
    expect(await gateway().deactivatedNumbers('2025-03-04')).toEqual(['+12025550191', '+12025550192']);
    expect(await gateway().deactivatedNumbers('2025-03-05')).toEqual([]);
    const file = twilio.requests.find((r) => r.path === '/deactivation-files/2025-03-04.txt')!;
    expect(file.headers.authorization).toBeUndefined();
  });

  it('refuses a day that is not a date', async () => {
    await expect(gateway().deactivatedNumbers('yesterday')).rejects.toThrow(/day.*YYYY-MM-DD/);
  });
});

describe('createSmsGateway', () => {
  it('builds the simulator by default and Twilio when configured', () => {
    expect(createSmsGateway()).toBeInstanceOf(SimulatorGateway);
    const built = createSmsGateway({ kind: 'twilio', twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken } });
    expect(built).toBeInstanceOf(TwilioGateway);
    expect(built.name).toBe('twilio');
  });
});

// ---------------------------------------------------------------------------------------------

interface ReceivedWebhook {
  url: string;
  params: Record<string, string | string[]>;
  signature: string | undefined;
}

interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

// Stands where Roster's webhook routes will be: records each POST with the full URL Twilio called.
async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signature = req.headers['x-twilio-signature'];
      received.push({
        url: `http://${req.headers.host}${req.url}`,
        params: formParams(Buffer.concat(chunks).toString('utf8')),
        signature: typeof signature === 'string' ? signature : undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function forge(signature: string): string {
  const flipped = signature[0] === 'A' ? 'B' : 'A';
  return flipped + signature.slice(1);
}
