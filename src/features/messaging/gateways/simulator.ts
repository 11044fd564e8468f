// The built-in gateway, and the default: nothing leaves the machine. It
// answers like a real gateway — accepts or refuses at send time, then reports
// delivery asynchronously — and what it answers for a number is decided by
// configuration, so demos, browser tests and people trying Roster can see
// every outcome: delivered, failed with a code, hard bounce, deactivated,
// opted out at the carrier.

import { randomUUID } from 'node:crypto';
import { invalidInput, type FieldProblem } from '../../../errors.js';
import { nowIso } from '../../../time.js';
import { dispositionForTwilioError } from './error-codes.js';
import {
  GATEWAY_DISPOSITIONS,
  type DeliveryReport,
  type DeliveryStatus,
  type GatewayDisposition,
  type InboundSms,
  type OutboundSms,
  type SendResult,
  type SmsGateway,
} from './gateway.js';

/**
 * What happens to a message sent to a matching number.
 * - `deliver`: accepted, then a `delivered` report.
 * - `reject`: send() answers failed at once, like an API error (codes are Twilio's: `21610`, `21614` …).
 * - `undelivered`: accepted, then an `undelivered` report with the code (`30005` …).
 * `disposition` defaults to what error-codes.ts says of the code, or `failed` for a code it does not know.
 */
export type SimulatorOutcome =
  | { kind: 'deliver' }
  | { kind: 'reject'; code: string; message?: string; disposition?: GatewayDisposition }
  | { kind: 'undelivered'; code?: string; disposition?: GatewayDisposition };

/** The outcomes people usually want, by name. */
export const SIMULATOR_OUTCOMES = {
  deliver: { kind: 'deliver' },
  /** Twilio 30005 (unknown destination handset) in the delivery report → Hard Bounce. */
  hard_bounce: { kind: 'undelivered', code: '30005' },
  /** A deactivation report (no Twilio code exists for it) → Phone was Deactivated. */
  deactivated: { kind: 'undelivered', disposition: 'deactivated' },
  /** Twilio 21610 (unsubscribed recipient) at send → Texted a STOP word. */
  opted_out: { kind: 'reject', code: '21610', message: 'Attempt to send to unsubscribed recipient' },
} as const satisfies Record<string, SimulatorOutcome>;

/**
 * `match` is an E.164 number (`+12025550143`), a prefix ending in `*` (`+1212*`), or `*` for
 * every number. Rules are tried in order; the first match decides.
 */
export interface SimulatorRule {
  match: string;
  outcome: SimulatorOutcome;
}

/** Names the carrier of matching numbers (same `match` forms as SimulatorRule). */
export interface SimulatorCarrierRule {
  match: string;
  carrier: string;
}

/** The simulator's settings; every field is optional. */
export interface SimulatorConfig {
  /** Outcome rules, first match wins; a number no rule matches is delivered. */
  rules?: readonly SimulatorRule[];
  /** Carrier rules, first match wins (e.g. by area code: `{ match: '+1212*', carrier: '…' }`). */
  carriers?: readonly SimulatorCarrierRule[];
  /** Carrier of numbers no carrier rule matches. Default "Simulated Carrier". */
  defaultCarrier?: string;
  /**
   * Also answer Twilio's documented test ("magic") recipients as Twilio's test credentials do,
   * after the configured rules: +15005550001 → 21211, +15005550002 → 21612, +15005550003 → 21408,
   * +15005550004 → 21610, +15005550009 → 21614. Default true.
   */
  twilioMagicNumbers?: boolean;
  /** Sender recorded when a message names none, and `to` of simulated inbound messages. Default +12025550100. */
  defaultFrom?: string;
  /** How many sent messages sent() keeps, oldest dropped first. Default 1000. */
  keepSent?: number;
  /** Where errors thrown by delivery report listeners go. Default: a process warning. */
  onListenerError?: (error: unknown) => void;
}

/** One message the simulator accepted, as a phone-simulator panel shows it. */
export interface SimulatedMessage {
  gatewayMessageId: string;
  to: string;
  from: string;
  body: string;
  /** `queued` until its delivery report has been emitted. */
  status: DeliveryStatus;
  errorCode?: string;
  disposition?: GatewayDisposition;
  carrierName: string;
  /** ISO 8601 UTC. */
  sentAt: string;
}

export type DeliveryReportListener = (report: DeliveryReport) => void | Promise<void>;

const MAGIC_NUMBER_RULES: readonly SimulatorRule[] = [
  { match: '+15005550001', outcome: { kind: 'reject', code: '21211', message: "Invalid 'To' Phone Number" } },
  { match: '+15005550002', outcome: { kind: 'reject', code: '21612', message: "The 'To' phone number is not currently reachable via SMS" } },
  { match: '+15005550003', outcome: { kind: 'reject', code: '21408', message: 'Permission to send an SMS has not been enabled for the region indicated by the To number' } },
  { match: '+15005550004', outcome: SIMULATOR_OUTCOMES.opted_out },
  { match: '+15005550009', outcome: { kind: 'reject', code: '21614', message: "'To' number is not a valid mobile number" } },
];

export const SIMULATOR_DEFAULTS = {
  defaultCarrier: 'Simulated Carrier',
  defaultFrom: '+12025550100',
  keepSent: 1000,
} as const;

/** The built-in gateway; see SimulatorConfig. */
export class SimulatorGateway implements SmsGateway {
  readonly name = 'simulator';
  private rules: SimulatorRule[];
  private readonly carriers: readonly SimulatorCarrierRule[];
  private readonly defaultCarrier: string;
  private readonly defaultFrom: string;
  private readonly keepSent: number;
  private readonly onListenerError: (error: unknown) => void;
  private readonly messages: SimulatedMessage[] = [];
  private readonly answersByIdempotencyKey = new Map<string, SendResult>();
  private readonly listeners = new Set<DeliveryReportListener>();
  private readonly pending = new Set<Promise<void>>();

  constructor(config: SimulatorConfig = {}) {
    const problems: FieldProblem[] = [];
    (config.rules ?? []).forEach((rule, i) => problems.push(...ruleProblems(rule, `rules[${i}]`)));
    (config.carriers ?? []).forEach((rule, i) => {
      if (!isMatch(rule.match)) problems.push({ field: `carriers[${i}].match`, value: rule.match, message: MATCH_ACCEPTED });
      if (rule.carrier.trim() === '') problems.push({ field: `carriers[${i}].carrier`, value: rule.carrier, message: 'is empty' });
    });
    if (config.keepSent !== undefined && (!Number.isInteger(config.keepSent) || config.keepSent < 0)) {
      problems.push({ field: 'keepSent', value: config.keepSent, message: 'is not a whole number of messages (accepted: 0 or more)' });
    }
    if (problems.length > 0) throw invalidInput(problems);
    this.rules = [...(config.rules ?? []), ...(config.twilioMagicNumbers === false ? [] : MAGIC_NUMBER_RULES)];
    this.carriers = config.carriers ?? [];
    this.defaultCarrier = config.defaultCarrier ?? SIMULATOR_DEFAULTS.defaultCarrier;
    this.defaultFrom = config.defaultFrom ?? SIMULATOR_DEFAULTS.defaultFrom;
    this.keepSent = config.keepSent ?? SIMULATOR_DEFAULTS.keepSent;
    this.onListenerError =
      config.onListenerError ??
      ((error) => process.emitWarning(`A simulator delivery report listener failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
  }

  /** Accepts or refuses as the rules say; an accepted message's report follows on a later tick. */
  async send(message: OutboundSms): Promise<SendResult> {
    if (message.idempotencyKey !== undefined) {
      const earlier = this.answersByIdempotencyKey.get(message.idempotencyKey);
      if (earlier !== undefined) return earlier;
    }
    const result = this.decide(message);
    if (message.idempotencyKey !== undefined) {
      this.answersByIdempotencyKey.set(message.idempotencyKey, result);
      // Same bound as sent(): a key older than the kept messages is forgotten.
      if (this.answersByIdempotencyKey.size > Math.max(this.keepSent, 1)) {
        const oldest = this.answersByIdempotencyKey.keys().next().value;
        if (oldest !== undefined) this.answersByIdempotencyKey.delete(oldest);
      }
    }
    return result;
  }

  /** The carrier the rules name for a number. */
  async lookupCarrier(e164: string): Promise<string | null> {
    return this.carrierOf(e164);
  }

  /** The numbers exact rules mark deactivated: the simulator's carriers deactivate them every day. */
  async deactivatedNumbers(_day: string): Promise<string[]> {
    return this.rules
      .filter((rule) => !rule.match.endsWith('*') && outcomeDisposition(rule.outcome) === 'deactivated')
      .map((rule) => rule.match);
  }

  /** Registers a listener for delivery reports; returns a function that removes it. */
  onDeliveryReport(listener: DeliveryReportListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Messages accepted so far, oldest first (at most keepSent). */
  sent(): readonly SimulatedMessage[] {
    return this.messages.map((message) => ({ ...message }));
  }

  /** Forgets sent messages and idempotency keys (rules stay). */
  clear(): void {
    this.messages.length = 0;
    this.answersByIdempotencyKey.clear();
  }

  /** Puts a rule before all others, e.g. from a test or the phone-simulator panel. */
  addRule(rule: SimulatorRule): void {
    const problems = ruleProblems(rule, 'rule');
    if (problems.length > 0) throw invalidInput(problems);
    this.rules.unshift(rule);
  }

  /** An inbound message from any number, shaped as a gateway webhook would deliver it. */
  inbound(message: { from: string; body: string; to?: string }): InboundSms {
    return {
      gatewayMessageId: newMessageId(),
      from: message.from,
      to: message.to ?? this.defaultFrom,
      body: message.body,
      receivedAt: nowIso(),
    };
  }

  /** Resolves once every delivery report due so far has been emitted and its listeners have settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private decide(message: OutboundSms): SendResult {
    const outcome = this.outcomeFor(message.to);
    if (outcome.kind === 'reject') {
      return {
        outcome: 'failed',
        code: outcome.code,
        message: `Simulated gateway refused the message: ${outcome.message ?? `error ${outcome.code}`}`,
        disposition: outcomeDisposition(outcome) ?? 'failed',
      };
    }
    const record: SimulatedMessage = {
      gatewayMessageId: newMessageId(),
      to: message.to,
      from: message.from ?? this.defaultFrom,
      body: message.body,
      status: 'queued',
      carrierName: this.carrierOf(message.to),
      sentAt: nowIso(),
    };
    this.messages.push(record);
    if (this.messages.length > this.keepSent) this.messages.splice(0, this.messages.length - this.keepSent);

    const report: DeliveryReport = { gatewayMessageId: record.gatewayMessageId, status: 'delivered', to: record.to, carrierName: record.carrierName };
    if (outcome.kind === 'undelivered') {
      report.status = 'undelivered';
      if (outcome.code !== undefined) report.errorCode = outcome.code;
      report.disposition = outcomeDisposition(outcome) ?? 'failed';
    }
    this.emitLater(record, report);
    return { outcome: 'accepted', gatewayMessageId: record.gatewayMessageId, status: 'queued' };
  }

  private emitLater(record: SimulatedMessage, report: DeliveryReport): void {
    // setImmediate: the caller sees send() resolve, and can record the message, before any
    // report about it arrives — as with a real gateway, whose callbacks come over the network.
    const emission = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      record.status = report.status;
      if (report.errorCode !== undefined) record.errorCode = report.errorCode;
      if (report.disposition !== undefined) record.disposition = report.disposition;
      await Promise.all(
        [...this.listeners].map(async (listener) => {
          try {
            await listener({ ...report });
          } catch (error) {
            this.onListenerError(error);
          }
        }),
      );
    });
    this.pending.add(emission);
    void emission.finally(() => this.pending.delete(emission));
  }

  private outcomeFor(e164: string): SimulatorOutcome {
    return this.rules.find((rule) => matches(rule.match, e164))?.outcome ?? SIMULATOR_OUTCOMES.deliver;
  }

  private carrierOf(e164: string): string {
    return this.carriers.find((rule) => matches(rule.match, e164))?.carrier ?? this.defaultCarrier;
  }
}

function outcomeDisposition(outcome: SimulatorOutcome): GatewayDisposition | undefined {
  if (outcome.kind === 'deliver') return undefined;
  if (outcome.disposition !== undefined) return outcome.disposition;
  return outcome.code === undefined ? 'failed' : dispositionForTwilioError(outcome.code);
}

function newMessageId(): string {
  return `SIM${randomUUID().replaceAll('-', '')}`;
}

const MATCH_ACCEPTED = 'is not a number to match (accepted: an E.164 number like +12025550143, a prefix ending in * like +1212*, or *)';

function isMatch(match: string): boolean {
  return /^\+[1-9]\d{1,14}$/.test(match) || /^(\+\d{0,14})?\*$/.test(match);
}

function matches(match: string, e164: string): boolean {
  return match.endsWith('*') ? e164.startsWith(match.slice(0, -1)) : match === e164;
}

function ruleProblems(rule: SimulatorRule, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isMatch(rule.match)) problems.push({ field: `${field}.match`, value: rule.match, message: MATCH_ACCEPTED });
  const outcome = rule.outcome as Partial<{ kind: string; code: unknown; disposition: unknown }>;
  if (outcome.kind !== 'deliver' && outcome.kind !== 'reject' && outcome.kind !== 'undelivered') {
    problems.push({ field: `${field}.outcome.kind`, value: outcome.kind, message: 'is not an outcome (accepted: deliver, reject, undelivered)' });
  }
  if (outcome.kind === 'reject' && (typeof outcome.code !== 'string' || outcome.code.trim() === '')) {
    problems.push({ field: `${field}.outcome.code`, value: outcome.code, message: 'is required for a rejection' });
  }
  if (outcome.disposition !== undefined && !GATEWAY_DISPOSITIONS.includes(outcome.disposition as GatewayDisposition)) {
    problems.push({ field: `${field}.outcome.disposition`, value: outcome.disposition, message: `is not a disposition (accepted: ${GATEWAY_DISPOSITIONS.join(', ')})` });
  }
  return problems;
}

/**
 * Reads outcome rules from one line of text, for an environment variable:
 * `<match>=<outcome>` separated by `;`, where outcome is deliver, hard_bounce, deactivated,
 * opted_out, reject:<code> or undelivered:<code>.
 * Example: `+12025550111=hard_bounce;+12025550112=deactivated;+1303*=reject:30007`.
 * `field` names the variable in error messages.
 */
export function parseSimulatorRules(text: string, field = 'rules'): SimulatorRule[] {
  const rules: SimulatorRule[] = [];
  const problems: FieldProblem[] = [];
  for (const [i, entry] of entries(text).entries()) {
    const [match = '', spec = ''] = splitOnce(entry, '=');
    const outcome = parseOutcome(spec);
    if (outcome === undefined) {
      problems.push({
        field: `${field}[${i}]`,
        value: entry,
        message: 'has no outcome I know (accepted: deliver, hard_bounce, deactivated, opted_out, reject:<code>, undelivered:<code>)',
      });
      continue;
    }
    const rule = { match, outcome };
    const ruleIssues = ruleProblems(rule, `${field}[${i}]`);
    if (ruleIssues.length > 0) problems.push(...ruleIssues);
    else rules.push(rule);
  }
  if (problems.length > 0) throw invalidInput(problems);
  return rules;
}

/** Reads carrier rules from one line of text: `<match>=<carrier name>` separated by `;`. */
export function parseSimulatorCarriers(text: string, field = 'carriers'): SimulatorCarrierRule[] {
  const carriers: SimulatorCarrierRule[] = [];
  const problems: FieldProblem[] = [];
  for (const [i, entry] of entries(text).entries()) {
    const [match = '', carrier = ''] = splitOnce(entry, '=');
    if (!isMatch(match)) problems.push({ field: `${field}[${i}]`, value: entry, message: MATCH_ACCEPTED });
    else if (carrier === '') problems.push({ field: `${field}[${i}]`, value: entry, message: 'names no carrier (accepted: <match>=<carrier name>)' });
    else carriers.push({ match, carrier });
  }
  if (problems.length > 0) throw invalidInput(problems);
  return carriers;
}

function parseOutcome(spec: string): SimulatorOutcome | undefined {
  const named = (SIMULATOR_OUTCOMES as Record<string, SimulatorOutcome>)[spec];
  if (Object.hasOwn(SIMULATOR_OUTCOMES, spec) && named !== undefined) return named;
  const [kind, code = ''] = splitOnce(spec, ':');
  if (!/^\d{1,6}$/.test(code)) return undefined;
  if (kind === 'reject') return { kind: 'reject', code };
  if (kind === 'undelivered') return { kind: 'undelivered', code };
  return undefined;
}

function entries(text: string): string[] {
  return text
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text.trim(), ''] : [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}
