// Twilio: the Programmable Messaging REST API for sending, Lookup v2 for
// carrier names, the Deactivations API for the deactivation feed, and the
// parsing and signature validation of the two webhooks Twilio calls (inbound
// message, status callback). Node's fetch and crypto only; no Twilio SDK.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidInput, type FieldProblem } from '../../../errors.js';
import { checkDay, nowIso } from '../../../time.js';
import { dispositionForTwilioError, twilioErrorRule } from './error-codes.js';
import {
  GatewayError,
  type DeliveryReport,
  type DeliveryStatus,
  type InboundSms,
  type OptOutType,
  type OutboundSms,
  type SendFailed,
  type SendResult,
  type SmsGateway,
} from './gateway.js';

/** How Roster talks to Twilio. The lead maps environment variables onto this. */
export interface TwilioConfig {
  /** `AC…`; also the Basic auth user name. */
  accountSid: string;
  /** The account's Auth Token: Basic auth password and the key that signs webhooks. */
  authToken: string;
  /** Default sender: a Twilio number in E.164. Needed unless messagingServiceSid is set. */
  from?: string;
  /** Default sender: a Messaging Service `MG…` (Twilio picks the number from its pool). */
  messagingServiceSid?: string;
  /** Status callback URL for messages that do not name their own. */
  statusCallbackUrl?: string;
  /** Default https://api.twilio.com; a stand-in server's URL in tests. */
  apiBaseUrl?: string;
  /** Default https://lookups.twilio.com. */
  lookupBaseUrl?: string;
  /** Default https://messaging.twilio.com (Deactivations API). */
  messagingBaseUrl?: string;
  /** Per request, covering connect, answer and body. Default 10 000. */
  timeoutMs?: number;
}

export const TWILIO_DEFAULTS = {
  apiBaseUrl: 'https://api.twilio.com',
  lookupBaseUrl: 'https://lookups.twilio.com',
  messagingBaseUrl: 'https://messaging.twilio.com',
  timeoutMs: 10_000,
} as const;

/** Form parameters of a webhook as a body parser gives them: repeated keys become arrays. */
export type TwilioWebhookParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Sends through Twilio's Messages API; see SmsGateway. */
export class TwilioGateway implements SmsGateway {
  readonly name = 'twilio';
  private readonly apiBaseUrl: string;
  private readonly lookupBaseUrl: string;
  private readonly messagingBaseUrl: string;
  readonly timeoutMs: number;
  private readonly authorization: string;

  constructor(private readonly config: TwilioConfig) {
    const problems: FieldProblem[] = [];
    if (!/^AC[0-9a-fA-F]{32}$/.test(config.accountSid)) {
      problems.push({ field: 'accountSid', value: config.accountSid, message: 'is not a Twilio Account SID (accepted: AC followed by 32 hex digits)' });
    }
    if (config.authToken === '') problems.push({ field: 'authToken', message: 'is empty' });
    if (config.messagingServiceSid !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(config.messagingServiceSid)) {
      problems.push({ field: 'messagingServiceSid', value: config.messagingServiceSid, message: 'is not a Messaging Service SID (accepted: MG followed by 32 hex digits)' });
    }
    if (problems.length > 0) throw invalidInput(problems);
    this.apiBaseUrl = trimSlash(config.apiBaseUrl ?? TWILIO_DEFAULTS.apiBaseUrl);
    this.lookupBaseUrl = trimSlash(config.lookupBaseUrl ?? TWILIO_DEFAULTS.lookupBaseUrl);
    this.messagingBaseUrl = trimSlash(config.messagingBaseUrl ?? TWILIO_DEFAULTS.messagingBaseUrl);
    this.timeoutMs = config.timeoutMs ?? TWILIO_DEFAULTS.timeoutMs;
    this.authorization = 'Basic ' + Buffer.from(`${config.accountSid}:${config.authToken}`, 'utf8').toString('base64');
  }

  /** POSTs the message to Messages.json; every Twilio or network trouble becomes a SendFailed. */
  async send(message: OutboundSms): Promise<SendResult> {
    const form = new URLSearchParams();
    form.set('To', message.to);
    // A sender named on the message wins; otherwise the Messaging Service (Twilio picks a number
    // from its pool), otherwise the configured number. Neither: Twilio answers 21603.
    if (message.from !== undefined) form.set('From', message.from);
    else if (this.config.messagingServiceSid !== undefined) form.set('MessagingServiceSid', this.config.messagingServiceSid);
    else if (this.config.from !== undefined) form.set('From', this.config.from);
    form.set('Body', message.body);
    const statusCallback = message.statusCallbackUrl ?? this.config.statusCallbackUrl;
    if (statusCallback !== undefined) form.set('StatusCallback', statusCallback);

    const url = `${this.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.config.accountSid)}/Messages.json`;
    let answer: { status: number; text: string };
    try {
      answer = await this.request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } catch (error) {
      return networkFailure(error, url);
    }
    return sendResultFromAnswer(answer.status, answer.text);
  }

  /** The carrier name from Lookup v2's line type intelligence, or null when Twilio does not know it. */
  async lookupCarrier(e164: string): Promise<string | null> {
    const url = `${this.lookupBaseUrl}/v2/PhoneNumbers/${encodeURIComponent(e164)}?Fields=line_type_intelligence`;
    const answer = await this.requestOrThrow(url);
    if (answer.status === 404) return null;
    const body = expectOk(answer, 'Lookup');
    if (!isRecord(body)) throw new GatewayError('twilio', 'invalid_response', 'Twilio Lookup answered with something other than a JSON object', answer.status);
    if (body.valid === false) return null;
    const intelligence = body.line_type_intelligence;
    if (!isRecord(intelligence)) return null;
    const carrier = intelligence.carrier_name;
    return typeof carrier === 'string' && carrier.trim() !== '' ? carrier.trim() : null;
  }

  /** Numbers US carriers deactivated on `day`, from the Deactivations API's daily file. */
  async deactivatedNumbers(day: string): Promise<string[]> {
    checkDay(day);
    const answer = await this.requestOrThrow(`${this.messagingBaseUrl}/v1/Deactivations?Date=${day}`);
    const body = expectOk(answer, 'Deactivations');
    const redirectTo = isRecord(body) ? body.redirect_to : undefined;
    if (typeof redirectTo !== 'string' || !/^https?:\/\//i.test(redirectTo)) {
      throw new GatewayError('twilio', 'invalid_response', 'Twilio Deactivations answered without a redirect_to URL', answer.status);
    }
    // redirect_to is a short-lived pre-signed URL: it must not receive the account credentials.
    const file = await this.requestOrThrow(redirectTo, { method: 'GET' }, false);
    if (file.status !== 200) {
      throw new GatewayError('twilio', `http_${file.status}`, `The deactivation file answered HTTP ${file.status}`, file.status);
    }
    return parseDeactivationList(file.text);
  }

  /** validateTwilioSignature with this account's Auth Token. */
  verifyWebhookSignature(fullUrl: string, params: TwilioWebhookParams, signatureHeader: string | undefined): boolean {
    return validateTwilioSignature(this.config.authToken, fullUrl, params, signatureHeader);
  }

  private async request(url: string, init: RequestInit = { method: 'GET' }, authenticated = true): Promise<{ status: number; text: string }> {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    if (authenticated) headers.set('Authorization', this.authorization);
    const response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.timeoutMs) });
    return { status: response.status, text: await response.text() };
  }

  private async requestOrThrow(url: string, init?: RequestInit, authenticated = true): Promise<{ status: number; text: string }> {
    try {
      return await this.request(url, init, authenticated);
    } catch (error) {
      const failure = networkFailure(error, url);
      throw new GatewayError('twilio', failure.code, failure.message);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Send answers

interface TwilioErrorBody {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  more_info?: unknown;
}

function sendResultFromAnswer(status: number, text: string): SendResult {
  const body = parseJson(text);
  if (status >= 200 && status < 300) {
    if (!isRecord(body) || typeof body.sid !== 'string' || body.sid === '') {
      // Twilio said yes but we cannot tell to what; the message may well be on its way.
      return {
        outcome: 'failed',
        code: 'invalid_response',
        message: `Twilio answered HTTP ${status} without a message sid`,
        disposition: 'retry',
        mayHaveBeenSent: true,
      };
    }
    const errorCode = body.error_code;
    if ((body.status === 'failed' || body.status === 'undelivered') && errorCode !== null && errorCode !== undefined) {
      return failure(String(errorCode), twilioMessage(errorCode, body.error_message), dispositionForTwilioError(errorCode as number | string));
    }
    return { outcome: 'accepted', gatewayMessageId: body.sid, status: body.status === 'sent' ? 'sent' : 'queued' };
  }

  if (isRecord(body) && (typeof body.code === 'number' || typeof body.code === 'string')) {
    const error = body as TwilioErrorBody;
    const code = String(error.code);
    if (status === 401 || code === '20003') {
      const detail = typeof error.detail === 'string' ? ` ${error.detail}` : '';
      return failure(
        code,
        `Twilio refused Roster's credentials (HTTP ${status}, error ${code}).${detail} Check the Twilio Account SID and Auth Token.`,
        dispositionForTwilioError(code, status),
      );
    }
    return failure(code, twilioMessage(code, error.message, error.more_info), dispositionForTwilioError(code, status));
  }

  return failure(
    `http_${status}`,
    `Twilio answered HTTP ${status}${text.trim() === '' ? '' : ` (${text.trim().slice(0, 200)})`}`,
    dispositionForTwilioError(undefined, status),
  );
}

function failure(code: string, message: string, disposition: SendFailed['disposition']): SendFailed {
  return { outcome: 'failed', code, message, disposition };
}

function twilioMessage(code: unknown, message: unknown, moreInfo?: unknown): string {
  const text = typeof message === 'string' && message !== '' ? message : (twilioErrorRule(code as string)?.meaning ?? 'no message');
  const link = typeof moreInfo === 'string' && moreInfo !== '' ? ` (${moreInfo})` : '';
  return `Twilio error ${String(code)}: ${text}${link}`;
}

// Connection errors that happen before a byte of the request left: a retry cannot duplicate a text.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function networkFailure(error: unknown, url: string): SendFailed {
  const host = safeHost(url);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return {
      outcome: 'failed',
      code: 'timeout',
      message: `Twilio at ${host} did not answer in time`,
      disposition: 'retry',
      mayHaveBeenSent: true,
    };
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const causeCode = typeof cause?.code === 'string' ? cause.code : undefined;
  const reason = causeCode ?? (typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error));
  return {
    outcome: 'failed',
    code: 'network_error',
    message: `Could not reach Twilio at ${host}: ${reason}`,
    disposition: 'retry',
    mayHaveBeenSent: causeCode === undefined || !NOT_SENT.has(causeCode),
  };
}

function expectOk(answer: { status: number; text: string }, what: string): unknown {
  const body = parseJson(answer.text);
  if (answer.status >= 200 && answer.status < 300) return body;
  const code = isRecord(body) && body.code !== undefined && body.code !== null ? String(body.code) : `http_${answer.status}`;
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : `HTTP ${answer.status}`;
  throw new GatewayError('twilio', code, `Twilio ${what} failed: ${message} (${code})`, answer.status);
}

/**
 * Reads the Deactivations file: one number per line. Twilio documents only "a .txt file of
 * numbers", so lines are read leniently: `+1NXXNXXXXXX`, `1NXXNXXXXXX` or ten digits, with any
 * punctuation; lines that are not a US number (a header, blanks) are skipped.
 */
export function parseDeactivationList(text: string): string[] {
  const numbers = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const digits = line.replace(/\D/g, '');
    let e164: string | undefined;
    if (digits.length === 10) e164 = `+1${digits}`;
    else if (digits.length === 11 && digits.startsWith('1')) e164 = `+${digits}`;
    if (e164 !== undefined && /^\+1[2-9]\d{2}[2-9]\d{6}$/.test(e164)) numbers.add(e164);
  }
  return [...numbers];
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/**
 * Twilio's request validation: base64(HMAC-SHA1(authToken, fullUrl + every POST parameter sorted by
 * name, each name followed by its value)), compared in constant time with X-Twilio-Signature.
 * `fullUrl` is the URL Twilio was configured to call, query string included, as Twilio saw it
 * (behind a proxy: the public URL, not the internal one). Repeated parameters are signed as
 * Twilio's own libraries do: values de-duplicated, sorted, each preceded by the name.
 * Like Twilio's libraries it also accepts the signature computed over the same URL with the
 * scheme's default port added (when none is written) or the written port removed, because
 * Twilio signs whichever form it used to reach the URL; nothing else about the URL may differ.
 */
export function validateTwilioSignature(
  authToken: string,
  fullUrl: string,
  params: TwilioWebhookParams,
  signatureHeader: string | undefined,
): boolean {
  if (authToken === '' || signatureHeader === undefined || signatureHeader === '') return false;
  const provided = Buffer.from(signatureHeader, 'utf8');
  const signedParams = signedParamsText(params);
  // The URL forms are tried in turn and the first that matches ends it: which form Twilio signed is no secret, and
  // nearly every request matches the first, so a webhook costs one HMAC. Each comparison itself is constant-time.
  return signedUrlForms(fullUrl).some((url) => {
    const expected = Buffer.from(createHmac('sha1', authToken).update(url + signedParams, 'utf8').digest('base64'), 'utf8');
    // Lengths differ only for garbage headers.
    return expected.length === provided.length && timingSafeEqual(expected, provided);
  });
}

/** What Twilio appends to the URL before signing: every param's name and value, names sorted (repeated values sorted). */
function signedParamsText(params: TwilioWebhookParams): string {
  let signed = '';
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    if (typeof value === 'string') {
      signed += name + value;
    } else {
      for (const each of [...new Set(value)].sort()) signed += name + each;
    }
  }
  return signed;
}

const URL_PARTS = /^(https?):\/\/([^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::(\d*))?([/?#].*)?$/is;

/** The URL as given, plus the one port variant Twilio's libraries also accept. */
function signedUrlForms(url: string): string[] {
  const parts = URL_PARTS.exec(url);
  if (parts === null) return [url];
  const [, scheme = '', userinfo = '', host = '', port, rest = ''] = parts;
  const prefix = `${scheme}://${userinfo}${host}`;
  if (port !== undefined && port !== '') return [url, `${prefix}${rest}`];
  return [url, `${prefix}:${scheme.toLowerCase() === 'https' ? 443 : 80}${rest}`];
}

/** Parses an application/x-www-form-urlencoded webhook body into params; repeated names become arrays. */
export function formParams(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (typeof existing === 'string') params[name] = [existing, value];
    else existing.push(value);
  }
  return params;
}

const OPT_OUT_TYPES: readonly OptOutType[] = ['STOP', 'START', 'HELP'];

/** Normalises Twilio's inbound message webhook (already signature-checked) into an InboundSms. */
export function parseInboundWebhook(params: TwilioWebhookParams, receivedAt: string = nowIso()): InboundSms {
  const problems: FieldProblem[] = [];
  const gatewayMessageId = requiredParam(params, 'MessageSid', problems);
  const from = requiredParam(params, 'From', problems);
  const to = requiredParam(params, 'To', problems);
  const body = optionalParam(params, 'Body', problems) ?? '';
  const optOut = optionalParam(params, 'OptOutType', problems)?.trim().toUpperCase();
  if (problems.length > 0) throw invalidInput(problems);
  const inbound: InboundSms = { gatewayMessageId: gatewayMessageId!, from: from!, to: to!, body, receivedAt };
  const optOutType = OPT_OUT_TYPES.find((type) => type === optOut);
  if (optOutType !== undefined) inbound.optOutType = optOutType;
  return inbound;
}

// Twilio's MessageStatus values → Roster's. `read` (WhatsApp/RCS read receipts) implies delivered;
// `canceled` (a scheduled message withdrawn before sending) never reached anyone.
const TWILIO_STATUSES: Readonly<Record<string, DeliveryStatus>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  partially_delivered: 'undelivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** Normalises Twilio's status callback (already signature-checked) into a DeliveryReport. */
export function parseStatusCallback(params: TwilioWebhookParams): DeliveryReport {
  const problems: FieldProblem[] = [];
  const gatewayMessageId = requiredParam(params, 'MessageSid', problems);
  const rawStatus = requiredParam(params, 'MessageStatus', problems);
  const to = optionalParam(params, 'To', problems);
  const errorCode = optionalParam(params, 'ErrorCode', problems)?.trim();
  const status = rawStatus === undefined ? undefined : TWILIO_STATUSES[rawStatus.trim().toLowerCase()];
  if (rawStatus !== undefined && status === undefined) {
    problems.push({ field: 'MessageStatus', value: rawStatus, message: `is not a Twilio message status (accepted: ${Object.keys(TWILIO_STATUSES).join(', ')})` });
  }
  if (problems.length > 0 || status === undefined) throw invalidInput(problems);
  const report: DeliveryReport = { gatewayMessageId: gatewayMessageId!, status };
  if (to !== undefined && to !== '') report.to = to;
  if (errorCode !== undefined && errorCode !== '') report.errorCode = errorCode;
  if (status === 'undelivered' || status === 'failed') report.disposition = dispositionForTwilioError(report.errorCode);
  return report;
}

function requiredParam(params: TwilioWebhookParams, name: string, problems: FieldProblem[]): string | undefined {
  const value = optionalParam(params, name, problems);
  if (value === undefined || value.trim() === '') {
    if (!problems.some((p) => p.field === name)) problems.push({ field: name, value, message: 'is required' });
    return undefined;
  }
  return value;
}

function optionalParam(params: TwilioWebhookParams, name: string, problems: FieldProblem[]): string | undefined {
  const value = params[name];
  if (value === undefined || typeof value === 'string') return value;
  problems.push({ field: name, value, message: 'was sent more than once (accepted: one value)' });
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparseable URL';
  }
}
