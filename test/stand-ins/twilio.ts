// A stand-in for Twilio on 127.0.0.1 that speaks its wire format: the
// Messages API (form-encoded POST, Basic auth, Twilio's JSON resources and
// error bodies), Lookup v2, the Deactivations API, and signed status callbacks.
// Tests script what it answers per recipient and read what it received.
//
// It signs webhooks with its own straightforward implementation of Twilio's
// algorithm, deliberately not Roster's, so that a test where Roster accepts
// the stand-in's signature checks one implementation against another.

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in does with a message to a scripted number. */
export type StandInBehaviour =
  /** 201 with a queued message; callbacks `sent`, then `finalStatus` (default delivered) with `errorCode`. */
  | { kind: 'accept'; finalStatus?: 'delivered' | 'undelivered' | 'failed'; errorCode?: number; delayMs?: number }
  /** A Twilio error answer: `{"code", "message", "more_info", "status"}`, HTTP 400 unless given. */
  | { kind: 'error'; code: number; message?: string; httpStatus?: number; delayMs?: number }
  /** 429 with Twilio's 20429 body. */
  | { kind: 'rate_limit'; delayMs?: number }
  /** 500 with Twilio's 20500 body, or (html) a 502 HTML page as a load balancer would give. */
  | { kind: 'server_error'; html?: boolean; delayMs?: number }
  /** Never answers (until the stand-in closes): for client timeouts. */
  | { kind: 'hang' }
  /** Destroys the connection without answering. */
  | { kind: 'drop' };

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  body: string;
  /** The body form-decoded (repeated names become arrays). */
  form: Record<string, string | string[]>;
}

export interface StandInMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  status: string;
  errorCode: number | null;
}

export interface CallbackDelivery {
  url: string;
  params: Record<string, string>;
  signature: string;
  /** HTTP status of the receiver's answer; undefined when it could not be reached. */
  responseStatus?: number;
  error?: string;
}

export interface LineType {
  carrierName: string | null;
  type?: 'mobile' | 'landline' | 'fixedVoip' | 'nonFixedVoip' | 'tollFree' | 'unknown';
}

export interface TwilioStandInOptions {
  /** Default: a random `AC…`. */
  accountSid?: string;
  /** Default: random hex. */
  authToken?: string;
  /** When given, a From outside this list is refused with 21606, as Twilio does for numbers the account does not own. */
  ownedNumbers?: readonly string[];
  /** POST status callbacks for accepted messages that name a StatusCallback. Default true. */
  autoStatusCallbacks?: boolean;
  /** Lookup's carrier for numbers not set with setLineType. Default "Stand-in Wireless". */
  defaultCarrier?: string;
}

export interface TwilioStandIn {
  /** `http://127.0.0.1:<port>`: use as the API, Lookup and Messaging base URL. */
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Messages created (201 answers). */
  readonly messages: StandInMessage[];
  /** Status callbacks posted, in order. */
  readonly callbacks: CallbackDelivery[];
  /** Scripts answers for messages to `to`: one behaviour per request, the last one repeating. */
  script(to: string, ...behaviours: StandInBehaviour[]): void;
  /** What Lookup answers for a number. */
  setLineType(e164: string, lineType: LineType): void;
  /** The numbers the Deactivations file lists for a day (YYYY-MM-DD). */
  setDeactivations(day: string, numbers: readonly string[]): void;
  /** Posts one signed status callback for a created message to its StatusCallback URL. */
  sendStatusCallback(sid: string, status: string, errorCode?: number): Promise<CallbackDelivery>;
  /** Posts a signed inbound-message webhook, as Twilio does when someone texts the account's number. */
  sendInbound(url: string, message: InboundMessageInput): Promise<{ status: number; body: string }>;
  /** Resolves when every status callback started so far has been answered or has failed. */
  callbacksSettled(): Promise<void>;
  close(): Promise<void>;
}

export interface InboundMessageInput {
  from: string;
  to: string;
  body: string;
  messageSid?: string;
  optOutType?: 'STOP' | 'START' | 'HELP';
  messagingServiceSid?: string;
}

const API_VERSION = '2010-04-01';

/** Starts a stand-in Twilio on a random loopback port. */
export async function startTwilioStandIn(options: TwilioStandInOptions = {}): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const autoStatusCallbacks = options.autoStatusCallbacks ?? true;
  const defaultCarrier = options.defaultCarrier ?? 'Stand-in Wireless';
  const owned = options.ownedNumbers === undefined ? undefined : new Set(options.ownedNumbers);

  const requests: RecordedRequest[] = [];
  const messages: StandInMessage[] = [];
  const callbacks: CallbackDelivery[] = [];
  const scripts = new Map<string, StandInBehaviour[]>();
  const lineTypes = new Map<string, LineType>();
  const deactivations = new Map<string, readonly string[]>();
  const pendingCallbacks = new Set<Promise<unknown>>();
  const hanging = new Set<ServerResponse>();
  let baseUrl = '';

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        form: isForm ? decodeForm(body) : {},
      };
      requests.push(recorded);
      route(recorded, req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, twilioError(20500, `Stand-in failed: ${String(error)}`, 500));
      });
    });
  });

  async function route(request: RecordedRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path } = request;
    const deactivationFile = /^\/deactivation-files\/(\d{4}-\d{2}-\d{2})\.txt$/.exec(path);
    if (method === 'GET' && deactivationFile !== null) {
      // The pre-signed file URL takes no credentials, like the real one.
      const numbers = deactivations.get(deactivationFile[1]!) ?? [];
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(numbers.map((n) => n.replace(/^\+/, '')).join('\n') + (numbers.length > 0 ? '\n' : ''));
      return;
    }

    if (!authorised(req)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      sendJson(res, 401, { code: 20003, detail: 'Your AccountSid or AuthToken was incorrect.', message: 'Authenticate', more_info: moreInfo(20003), status: 401 });
      return;
    }

    const messagesPath = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages\\.json$`).exec(path);
    if (method === 'POST' && messagesPath !== null && messagesPath[1] === accountSid) {
      await createMessage(request, req, res);
      return;
    }
    const messagePath = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages/(SM[0-9a-f]{32})\\.json$`).exec(path);
    if (method === 'GET' && messagePath !== null && messagePath[1] === accountSid) {
      const message = messages.find((m) => m.sid === messagePath[2]);
      if (message !== undefined) sendJson(res, 200, messageResource(message));
      else sendJson(res, 404, twilioError(20404, `The requested resource ${path} was not found`, 404));
      return;
    }
    const lookupPath = /^\/v2\/PhoneNumbers\/([^/]+)$/.exec(path);
    if (method === 'GET' && lookupPath !== null) {
      sendJson(res, 200, lookupResource(decodeURIComponent(lookupPath[1]!), request.query.Fields ?? ''));
      return;
    }
    if (method === 'GET' && path === '/v1/Deactivations') {
      const day = request.query.Date ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
        sendJson(res, 400, twilioError(20001, `Invalid Date: ${day}`, 400));
        return;
      }
      sendJson(res, 200, { redirect_to: `${baseUrl}/deactivation-files/${day}.txt?Expires=${Date.now() + 120_000}` });
      return;
    }
    sendJson(res, 404, twilioError(20404, `The requested resource ${path} was not found`, 404));
  }

  function authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 && decoded.slice(0, colon) === accountSid && decoded.slice(colon + 1) === authToken;
  }

  async function createMessage(request: RecordedRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const field = (name: string): string | undefined => {
      const value = request.form[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const to = field('To');
    const from = field('From');
    const messagingServiceSid = field('MessagingServiceSid');
    const body = field('Body');
    const statusCallback = field('StatusCallback');

    if (to === undefined || to === '') return sendJson(res, 400, twilioError(21604, "A 'To' phone number is required.", 400));
    if ((from === undefined || from === '') && (messagingServiceSid === undefined || messagingServiceSid === '')) {
      return sendJson(res, 400, twilioError(21603, "A 'From' phone number is required.", 400));
    }
    if (body === undefined || body === '') return sendJson(res, 400, twilioError(21602, 'Message body is required.', 400));
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return sendJson(res, 400, twilioError(21211, `The 'To' number ${to} is not a valid phone number.`, 400));
    if (from !== undefined && from !== '' && owned !== undefined && !owned.has(from)) {
      return sendJson(
        res,
        400,
        twilioError(21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`, 400),
      );
    }
    if (body.length > 1600) return sendJson(res, 400, twilioError(21617, 'The concatenated message body exceeds the 1600 character limit.', 400));

    const behaviour = nextBehaviour(to);
    if ('delayMs' in behaviour && behaviour.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    switch (behaviour.kind) {
      case 'hang':
        hanging.add(res);
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'rate_limit':
        return sendJson(res, 429, twilioError(20429, 'Too Many Requests', 429));
      case 'server_error':
        if (behaviour.html === true) {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
          return;
        }
        return sendJson(res, 500, twilioError(20500, 'Internal Server Error', 500));
      case 'error':
        return sendJson(res, behaviour.httpStatus ?? 400, twilioError(behaviour.code, behaviour.message ?? `Error ${behaviour.code}`, behaviour.httpStatus ?? 400));
      case 'accept': {
        const message: StandInMessage = {
          sid: `SM${randomBytes(16).toString('hex')}`,
          to,
          from: from !== undefined && from !== '' ? from : null,
          messagingServiceSid: messagingServiceSid !== undefined && messagingServiceSid !== '' ? messagingServiceSid : null,
          body,
          statusCallback: statusCallback !== undefined && statusCallback !== '' ? statusCallback : null,
          // Through a Messaging Service Twilio answers `accepted` until it has picked a sender.
          status: from === undefined || from === '' ? 'accepted' : 'queued',
          errorCode: null,
        };
        messages.push(message);
        sendJson(res, 201, messageResource(message));
        if (autoStatusCallbacks && message.statusCallback !== null) {
          track(
            (async () => {
              await standIn.sendStatusCallback(message.sid, 'sent');
              await standIn.sendStatusCallback(message.sid, behaviour.finalStatus ?? 'delivered', behaviour.errorCode);
            })(),
          );
        }
        return;
      }
    }
  }

  function nextBehaviour(to: string): StandInBehaviour {
    const queue = scripts.get(to);
    if (queue === undefined || queue.length === 0) return { kind: 'accept' };
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  }

  function messageResource(message: StandInMessage): Record<string, unknown> {
    const now = rfc2822(new Date());
    const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${message.sid}.json`;
    return {
      account_sid: accountSid,
      api_version: API_VERSION,
      body: message.body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: message.errorCode,
      error_message: null,
      from: message.from,
      messaging_service_sid: message.messagingServiceSid,
      num_media: '0',
      num_segments: String(message.body.length <= 160 ? 1 : Math.ceil(message.body.length / 153)),
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: message.status,
      subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
      to: message.to,
      uri,
    };
  }

  function lookupResource(number: string, fields: string): Record<string, unknown> {
    const valid = /^\+[1-9]\d{6,14}$/.test(number);
    const wanted = fields.split(',').map((f) => f.trim());
    const lineType = lineTypes.get(number) ?? { carrierName: defaultCarrier, type: 'mobile' };
    const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
    return {
      calling_country_code: valid ? (nanp !== null ? '1' : null) : null,
      country_code: valid && nanp !== null ? 'US' : null,
      phone_number: number,
      national_format: nanp !== null ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : null,
      valid,
      validation_errors: valid ? [] : ['NOT_A_NUMBER'],
      caller_name: null,
      sim_swap: null,
      call_forwarding: null,
      line_status: null,
      line_type_intelligence:
        valid && wanted.includes('line_type_intelligence')
          ? {
              error_code: null,
              mobile_country_code: lineType.type === 'mobile' ? '310' : null,
              mobile_network_code: lineType.type === 'mobile' ? '260' : null,
              carrier_name: lineType.carrierName,
              type: lineType.type ?? 'mobile',
            }
          : null,
      identity_match: null,
      reassigned_number: null,
      sms_pumping_risk: null,
      phone_number_quality_score: null,
      pre_fill: null,
      url: `https://lookups.twilio.com/v2/PhoneNumbers/${number}`,
    };
  }

  async function postSigned(url: string, params: Record<string, string>): Promise<{ status?: number; body: string; signature: string; error?: string }> {
    const signature = signTwilioRequest(authToken, url, params);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signature,
          'I-Twilio-Idempotency-Token': randomUUID(),
          'User-Agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: await response.text(), signature };
    } catch (error) {
      return { body: '', signature, error: error instanceof Error ? `${error.message} (${String((error.cause as { code?: string } | undefined)?.code ?? '')})` : String(error) };
    }
  }

  function track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined);
    pendingCallbacks.add(tracked);
    void tracked.finally(() => pendingCallbacks.delete(tracked));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const standIn: TwilioStandIn = {
    baseUrl,
    accountSid,
    authToken,
    requests,
    messages,
    callbacks,
    script(to, ...behaviours) {
      scripts.set(to, behaviours);
    },
    setLineType(e164, lineType) {
      lineTypes.set(e164, lineType);
    },
    setDeactivations(day, numbers) {
      deactivations.set(day, numbers);
    },
    async sendStatusCallback(sid, status, errorCode) {
      const message = messages.find((m) => m.sid === sid);
      if (message === undefined) throw new Error(`stand-in has no message ${sid}`);
      if (message.statusCallback === null) throw new Error(`message ${sid} named no StatusCallback`);
      message.status = status;
      if (errorCode !== undefined) message.errorCode = errorCode;
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: message.to,
      };
      if (message.from !== null) params.From = message.from;
      if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
      if (errorCode !== undefined) params.ErrorCode = String(errorCode);
      const delivery: CallbackDelivery = { url: message.statusCallback, params, signature: '' };
      callbacks.push(delivery);
      const answer = postSigned(message.statusCallback, params).then((result) => {
        delivery.signature = result.signature;
        if (result.status !== undefined) delivery.responseStatus = result.status;
        if (result.error !== undefined) delivery.error = result.error;
        return delivery;
      });
      track(answer);
      return answer;
    },
    async sendInbound(url, message) {
      const params = twilioInboundParams({ ...message, accountSid });
      const result = await postSigned(url, params);
      if (result.status === undefined) throw new Error(`could not reach ${url}: ${result.error ?? ''}`);
      return { status: result.status, body: result.body };
    },
    async callbacksSettled() {
      while (pendingCallbacks.size > 0) await Promise.allSettled([...pendingCallbacks]);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await standIn.callbacksSettled();
    },
  };
  return standIn;
}

/**
 * Twilio's request signature, written out plainly and independently of Roster's validator:
 * base64 HMAC-SHA1, keyed by the Auth Token, of the URL followed by each parameter name and
 * value in name order.
 */
export function signTwilioRequest(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const names = Object.keys(params).sort();
  const pieces = [url];
  for (const name of names) pieces.push(name, params[name]!);
  return createHmac('sha1', authToken).update(pieces.join(''), 'utf8').digest('base64');
}

/** The full parameter set Twilio POSTs to a number's messaging webhook when someone texts it. */
export function twilioInboundParams(message: InboundMessageInput & { accountSid: string }): Record<string, string> {
  const sid = message.messageSid ?? `SM${randomBytes(16).toString('hex')}`;
  const us = (n: string) => (n.startsWith('+1') ? 'US' : '');
  const params: Record<string, string> = {
    ToCountry: us(message.to),
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: message.body,
    FromCountry: us(message.from),
    To: message.to,
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: message.accountSid,
    From: message.from,
    ApiVersion: API_VERSION,
  };
  if (message.messagingServiceSid !== undefined) params.MessagingServiceSid = message.messagingServiceSid;
  if (message.optOutType !== undefined) params.OptOutType = message.optOutType;
  return params;
}

/**
 * A signed inbound webhook request for `app.inject` (or any HTTP client): the form body and
 * the headers Twilio sends. `url` must be the full URL the route will reconstruct.
 */
export function signedTwilioWebhook(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
): { payload: string; headers: Record<string, string> } {
  return {
    payload: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(authToken, url, params),
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    },
  };
}

function twilioError(code: number, message: string, status: number): Record<string, unknown> {
  return { code, message, more_info: moreInfo(code), status };
}

function moreInfo(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function decodeForm(body: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = form[name];
    if (existing === undefined) form[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[name] = [existing, value];
  }
  return form;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
