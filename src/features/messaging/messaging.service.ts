import type { Database } from '../../db/database.js';
import { type DbScope, inTransaction } from '../../db/scope.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import type { Actor } from '../audit/audit.js';
import { recordAudit } from '../audit/audit.js';
import { getCompanySettings, recentCompanySettings } from '../accounts/accounts.service.js';
import { recentOptInPathByKeyword, type OptInPathView } from '../campaigns/campaigns.service.js';
import { confirmPending, subscribe } from '../campaigns/subscriptions.service.js';
import { classifyInbound, normaliseInbound } from '../opt-outs/keywords.js';
import { lockForSend, optOutProfile, resubscribeAfterStop, untextableReason } from '../opt-outs/profile-opt-out.js';
import { type CountryCode, normalisePhone, type NormalisePhoneResult } from '../profiles/phone.js';
import { describeStatus } from '../profiles/profile-rules.js';
import { findProfile, findProfileByPhone, findProfilesByIds, lockProfileStateByPhone, lockProfileStates, type ProfileRow, updateProfile } from '../profiles/profiles.repository.js';
import { createPhoneProfileIn } from '../profiles/profiles.service.js';
import type { DeliveryReport, InboundSms, SendResult, SmsGateway } from './gateways/gateway.js';
import { SimulatorGateway } from './gateways/simulator.js';
import { bodyProblem, confirmPrompt, helpReply, type MessageIntent, type MessageStatus, nextDeliveryStatus, optOutForDisposition, stopReply } from './message-rules.js';
import * as repo from './messages.repository.js';
import { applyRecentDeactivations, type DeactivationDay } from './deactivations.js';
import { holdLease, leaseLength, SEND_START_WINDOW_MS, waitForLease } from './send-leases.js';

/** A message as the API shows it (SPEC §4). */
export interface MessageView {
  id: number;
  profile_id: number;
  direction: 'inbound' | 'outbound';
  body: string;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  carrier_name: string | null;
  possible_opt_out: boolean;
  /** Inbound: what the message asked for. Outbound: what it answers (a reply), or null (staff wrote it). */
  intent: MessageIntent | null;
  campaign_id: number | null;
  created_at: string;
  updated_at: string;
}

export function toMessageView(row: repo.MessageRow): MessageView {
  return {
    id: row.id,
    profile_id: row.profile_id,
    direction: row.direction as MessageView['direction'],
    body: row.body,
    status: row.status as MessageStatus,
    error_code: row.error_code,
    error_message: row.error_message,
    carrier_name: row.carrier_name,
    possible_opt_out: row.possible_opt_out === 1,
    intent: row.intent as MessageIntent | null,
    campaign_id: row.campaign_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export const INBOUND_ACTOR: Actor = { type: 'system', id: null, label: 'inbound SMS' };

/** How long a recorded outbound message may stay queued before the sweep hands it off (dispatch normally has by then). */
const SWEEP_AGE_MS = 60_000;
const DEFAULT_GATEWAY_TIMEOUT_MS = 10_000;
const STOP_REASON = 'Undeliverable - Texted a STOP word';
const ONE_WORD = /^[\p{L}\p{N}]+$/u;

// Parsing and validating a number (libphonenumber) is the costliest step of a plain inbound text, and the same numbers
// text again and again: the answers are kept (they depend on nothing else), a bounded number of them.
const senders = new Map<string, NormalisePhoneResult>();
const SENDERS_KEPT = 20_000;

function normaliseSender(raw: string, country: CountryCode): NormalisePhoneResult {
  const key = `${country} ${raw}`;
  let result = senders.get(key);
  if (!result) {
    result = normalisePhone(raw, country);
    if (senders.size >= SENDERS_KEPT) senders.clear();
    senders.set(key, result);
  }
  return result;
}

/** Which profiles' state makes this text inert (repo.InertInbound), or undefined when it never is. */
function inertWhen(intent: MessageIntent, path: OptInPathView | undefined, inbound: InboundSms, observer: InboundObserver): repo.InertInbound['when'] | undefined {
  if (observer.stopCommitting) return undefined;
  if (path) return 'keyword';
  if (intent === 'stop') return 'stopped';
  return intent === 'other' && inbound.optOutType === undefined ? 'always' : undefined;
}

/** A delivery of an inbound message the company already has: answered as the first one was, nothing done again. */
class DuplicateDelivery extends Error {}

export interface InboundResult {
  message: MessageView;
  profileId: number;
  profileCreated: boolean;
  /** The replies this message caused (HELP text, welcome, YES prompt, STOP confirmation), as recorded (queued). */
  replies: MessageView[];
  /** The same replies after their handoff to the gateway, which runs after the message's transaction (see dispatch). */
  handoffs: Promise<MessageView[]>;
  duplicate: boolean;
}

/** Test and benchmark observers; production passes none. */
export interface InboundObserver {
  /** Inside the transaction that records a STOP, after the opt-out is written and the profile is locked, just before commit. */
  stopCommitting?(profileId: number): void;
}

interface ReplyDraft {
  body: string;
  intent: MessageIntent;
  campaignId: number | null;
}

/**
 * The messaging engine: inbound messages from every gateway go through handleInbound, every outbound text through
 * record-then-handOff, and every delivery report through applyDeliveryReport.
 *
 * The send invariant (SPEC §3): a message is recorded in the same transaction as the textability check (lockForSend),
 * and handed to the gateway under a send lease (send-leases.ts): a short transaction locks the profile again, checks
 * again and marks the message `sending`; the gateway is called after it commits, holding no lock, and every opt-out
 * waits for the profile's live leases before it commits. So an opt-out either commits before the handoff's check (which
 * then refuses) or after the gateway has answered: no message reaches the gateway after its number's STOP committed,
 * and no other write waits for a gateway call (on SQLite, where the lock would be the database's one write lock).
 * The one exception is the STOP confirmation, which answers the STOP itself and so is handed off after it.
 */
export class Messaging {
  private readonly simulatorReports = new Map<string, { companyId: number; messageId: number }>();
  private readonly unlisten: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private sweeper: NodeJS.Timeout | undefined;
  private feed: { first: NodeJS.Timeout; every: NodeJS.Timeout } | undefined;

  constructor(
    readonly database: Database,
    readonly gateway: SmsGateway,
    private readonly publicUrl: string | undefined,
  ) {
    // The simulator reports delivery in-process; Twilio posts to the status webhook instead.
    if (gateway instanceof SimulatorGateway) {
      this.unlisten = gateway.onDeliveryReport(async (report) => {
        const target = this.simulatorReports.get(report.gatewayMessageId);
        if (!target) return;
        if (report.status !== 'queued' && report.status !== 'sent') this.simulatorReports.delete(report.gatewayMessageId);
        await this.applyDeliveryReport(target.companyId, report, target.messageId);
      });
    }
  }

  /** Sweeps stale queued messages every `intervalMs` (the server does; tests call sweepQueued themselves). */
  startSweeper(intervalMs: number = SWEEP_AGE_MS / 2): void {
    this.sweeper ??= setInterval(() => void this.sweepQueued().catch(() => undefined), intervalMs).unref();
  }

  /**
   * Applies the gateway's deactivation feed (deactivations.ts) for the last finished days not applied yet: first
   * `firstAfterMs` after the start, then every `intervalMs`. `report` hears what each run did (the server logs it).
   */
  startDeactivationFeed(report: (days: DeactivationDay[]) => void = () => undefined, intervalMs = 60 * 60_000, firstAfterMs = 5 * 60_000): void {
    if (!this.gateway.deactivatedNumbers || this.feed) return;
    const run = () => void applyRecentDeactivations(this.database, this.gateway).then(report, () => undefined);
    this.feed = { first: setTimeout(run, firstAfterMs).unref(), every: setInterval(run, intervalMs).unref() };
  }

  /** Stops listening to the gateway and sweeping, and waits for the handoffs under way. */
  async close(): Promise<void> {
    this.unlisten?.();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    clearTimeout(this.feed?.first);
    clearInterval(this.feed?.every);
    this.feed = undefined;
    await this.idle();
  }

  /** Staff (or the API) text one profile: refused with a 409 naming the reason when the profile is not textable. */
  async sendMessage(companyId: number, actor: Actor, profileId: number, body: string, options: { campaignId?: number | null } = {}): Promise<MessageView> {
    const problem = bodyProblem(body);
    if (problem) throw invalidInput([{ field: 'body', value: body, message: problem }]);
    const recorded = await inTransaction(this.database, async (trx) => {
      const [profile] = await lockProfileStates(trx, companyId, [profileId]);
      if (!profile) throw notFound('Profile');
      const row = await this.recordOutbound(trx, companyId, profileId, { body, intent: null, campaignId: options.campaignId ?? null });
      if (!('refused' in row)) await recordAudit(trx.db, companyId, actor, [{ action: 'message.sent', entityType: 'message', entityId: row.id, changes: { profile_id: { before: null, after: profileId } } }]);
      return row;
    });
    if ('refused' in recorded) throw new AppError('not_textable', `Cannot text this profile: ${recorded.refused}`, { reason: recorded.refused });
    return this.handOff(companyId, recorded.id);
  }

  /**
   * The check and the record of one outbound message, inside the caller's transaction (SPEC §3): the profile is locked
   * by lockForSend, so no opt-out commits between the two. A STOP confirmation alone may go to a profile whose STOP
   * this very transaction recorded.
   */
  private async recordOutbound(trx: DbScope, companyId: number, profileId: number, draft: { body: string; intent: MessageIntent | null; campaignId: number | null }): Promise<repo.MessageRow | { refused: string }> {
    const reason = await lockForSend(trx, companyId, profileId);
    if (reason && !(draft.intent === 'stop' && reason === STOP_REASON)) return { refused: reason };
    const at = nowIso();
    const row = (await repo.insertMessage(trx, companyId, {
      profile_id: profileId,
      direction: 'outbound',
      body: draft.body,
      status: 'queued',
      gateway: this.gateway.name,
      gateway_message_id: null,
      error_code: null,
      error_message: null,
      carrier_name: null,
      intent: draft.intent,
      campaign_id: draft.campaignId,
      created_at: at,
      updated_at: at,
    }))!;
    await repo.touchConversation(trx, companyId, profileId, row.id, false, at);
    return row;
  }

  /**
   * Hands a recorded message to the gateway under a send lease (send-leases.ts): a short transaction locks the profile,
   * checks again that it may be texted and marks the message `sending`; the gateway is called outside any transaction,
   * and its answer recorded after. An opt-out of the profile waits for the lease to end, so none commits between the
   * check and the gateway's answer. A failure the gateway calls transient is retried once at once, unless the first
   * request may have reached it (a timeout): a retry then could deliver the text twice. A disposition that ends the
   * number's textability (Hard Bounce, deactivated, opted out at the carrier) opts the profile out afterwards.
   */
  async handOff(companyId: number, messageId: number): Promise<MessageView> {
    const leaseMs = leaseLength(this.gateway.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS);
    // Not inTransaction: its retries are for work that only touches the database.
    const claim = await this.database.db.transaction().execute(async (db) => {
      const trx: DbScope = { db, engine: this.database.engine };
      // The profile locked first, found by the message (one statement), then the message as it is under that lock.
      const profile = await repo.lockProfileOfMessage(trx, companyId, messageId);
      const fresh = await repo.findMessage(db, companyId, messageId);
      if (!fresh) throw notFound('Message');
      // Queued, or left `sending` by a handoff that stopped (its process ended) and whose lease is over.
      const claimable = fresh.status === 'queued' || (fresh.status === 'sending' && (!fresh.lease_until || new Date(fresh.lease_until).getTime() <= Date.now()));
      if (!claimable) return undefined;
      const reason = profile ? untextableReason(profile) : 'the profile was deleted';
      if (!profile?.phone_number || (reason && !(fresh.intent === 'stop' && reason === STOP_REASON))) {
        await repo.updateMessage(db, companyId, messageId, { status: 'failed', error_code: 'not_textable', error_message: `Cannot text this profile: ${reason}`, lease_until: null, updated_at: nowIso() });
        return undefined;
      }
      const leasedAt = Date.now();
      await repo.updateMessage(db, companyId, messageId, { status: 'sending', lease_until: new Date(leasedAt + leaseMs).toISOString(), updated_at: nowIso() });
      return { message: fresh, to: profile.phone_number, leasedAt };
    });
    if (!claim) return toMessageView((await repo.findMessage(this.database.db, companyId, messageId))!);

    const release = holdLease(messageId);
    let result: SendResult | undefined;
    let attempts = claim.message.attempts;
    try {
      const statusCallbackUrl = this.gateway.name === 'twilio' && this.publicUrl ? `${this.publicUrl}/api/v1/gateways/twilio/${companyId}/status?message=${messageId}` : undefined;
      for (;;) {
        // A request started late could still be under way when the lease ends (this process stalled): give the message back.
        if (Date.now() - claim.leasedAt > SEND_START_WINDOW_MS) break;
        attempts += 1;
        result = await this.gateway.send({ to: claim.to, body: claim.message.body, ...(statusCallbackUrl ? { statusCallbackUrl } : {}), idempotencyKey: `${companyId}:${messageId}:${attempts}` });
        if (result.outcome === 'accepted' || result.disposition !== 'retry' || result.mayHaveBeenSent || attempts >= 2) break;
      }
      const at = nowIso();
      if (!result) {
        await repo.updateMessage(this.database.db, companyId, messageId, { status: 'queued', lease_until: null, updated_at: at });
      } else if (result.outcome === 'accepted') {
        if (this.gateway instanceof SimulatorGateway) this.simulatorReports.set(result.gatewayMessageId, { companyId, messageId });
        await repo.updateMessage(this.database.db, companyId, messageId, { status: 'sent', gateway_message_id: result.gatewayMessageId, attempts, error_code: null, error_message: null, lease_until: null, updated_at: at });
      } else {
        await repo.updateMessage(this.database.db, companyId, messageId, { status: 'failed', attempts, error_code: result.code, error_message: result.message, lease_until: null, updated_at: at });
      }
    } catch (error) {
      // Not a gateway's answer (those are SendResults) but a fault here: give the message back for the sweep, as a
      // handoff that never committed would have left it.
      await repo.updateMessage(this.database.db, companyId, messageId, { status: 'queued', lease_until: null, updated_at: nowIso() }).catch(() => undefined);
      throw error;
    } finally {
      release();
    }
    const reason = result?.outcome === 'failed' ? optOutForDisposition(result.disposition) : null;
    // After the lease ended (an opt-out waits for it): it moves the shared counters and may be retried.
    if (reason) await optOutProfile(this.database, companyId, this.gatewayActor(), claim.message.profile_id, reason);
    if (result?.outcome === 'accepted') await this.learnCarrier(companyId, claim.message.profile_id, messageId);
    return toMessageView((await repo.findMessage(this.database.db, companyId, messageId))!);
  }

  /**
   * Asks the gateway's lookup (Twilio Lookup) for the carrier of a profile that has none yet, once a message to it was
   * accepted: Twilio's delivery reports do not name the carrier. A lookup that fails leaves it unknown until the next send.
   */
  private async learnCarrier(companyId: number, profileId: number, messageId: number): Promise<void> {
    if (!this.gateway.lookupCarrier) return;
    const profile = await findProfile(this.database.db, companyId, profileId);
    if (!profile?.phone_number || profile.carrier_name) return;
    let carrier: string | null;
    try {
      carrier = await this.gateway.lookupCarrier(profile.phone_number);
    } catch {
      return;
    }
    if (!carrier) return;
    await inTransaction(this.database, async (trx) => {
      await lockProfileStates(trx, companyId, [profileId]);
      await updateProfile(trx.db, companyId, profileId, { carrier_name: carrier });
      await repo.setUnknownCarrier(trx.db, companyId, messageId, carrier);
    });
  }

  private gatewayActor(): Actor {
    return { type: 'system', id: null, label: `gateway ${this.gateway.name}` };
  }

  /**
   * A delivery report (Twilio's status callback, the simulator's report): moves the message's status forward, records
   * the error code and carrier, applies the disposition to the profile (Hard Bounce, Phone was Deactivated, Texted a
   * STOP word) and sends once more after a transient failure of a first attempt. `messageId` is the message the
   * report's callback URL names; without it the message is found by its gateway id. Unknown messages are ignored.
   */
  async applyDeliveryReport(companyId: number, report: DeliveryReport, messageId?: number): Promise<MessageView | null> {
    // Most reports say only that a message was sent, then delivered: one statement (recordDeliveryProgress).
    if (messageId !== undefined && (report.status === 'sent' || report.status === 'delivered') && !report.errorCode && !report.carrierName && !report.disposition) {
      const progressed = await repo.recordDeliveryProgress(this.database, companyId, messageId, this.gateway.name, report.gatewayMessageId, report.status, nowIso());
      if (progressed) return toMessageView(progressed);
    }
    const applied = await inTransaction(this.database, async (trx) => {
      const found = messageId !== undefined ? await repo.findMessage(trx.db, companyId, messageId) : await repo.findByGatewayId(trx.db, companyId, this.gateway.name, report.gatewayMessageId);
      if (!found || found.direction !== 'outbound') return null;
      // The profile first, as every writer of messages does: this also waits for the handoff that sent it to commit.
      await lockProfileStates(trx, companyId, [found.profile_id]);
      const message = (await repo.findMessage(trx.db, companyId, found.id))!;
      // The gateway reported before its handoff recorded the answer (and the gateway id): wait for that, then read again.
      waitForLease(message);
      // A report about an earlier attempt, or one that names a message the gateway never gave this id, changes nothing.
      if (message.gateway_message_id !== report.gatewayMessageId) return null;
      const at = nowIso();
      const resend = report.disposition === 'retry' && message.attempts < 2 && (report.status === 'undelivered' || report.status === 'failed');
      const status = resend ? 'queued' : nextDeliveryStatus(message.status, report.status);
      await repo.updateMessage(trx.db, companyId, message.id, {
        status,
        ...(report.errorCode !== undefined ? { error_code: report.errorCode } : {}),
        ...(report.carrierName ? { carrier_name: report.carrierName } : {}),
        updated_at: at,
      });
      if (report.carrierName) await updateProfile(trx.db, companyId, message.profile_id, { carrier_name: report.carrierName });
      const reason = report.status === 'undelivered' || report.status === 'failed' ? optOutForDisposition(report.disposition) : null;
      if (reason) await optOutProfile(trx, companyId, this.gatewayActor(), message.profile_id, reason);
      return { id: message.id, resend };
    });
    if (!applied) return null;
    if (applied.resend) return this.handOff(companyId, applied.id);
    return toMessageView((await repo.findMessage(this.database.db, companyId, applied.id))!);
  }

  /**
   * One inbound message from any gateway (SPEC §3, §4). A gateway id already recorded is answered as before and
   * nothing happens again. A new number becomes a profile (Opted in when the message is an opt-in keyword, else
   * Unknown). Then, in one transaction with the message's record: a STOP word opts the profile out of everything;
   * START, UNSTOP or YES lift the person's own STOP (YES also confirms pending double opt-ins); HELP is answered with
   * the company's help text; a keyword subscribes through its opt-in path; a message that merely contains an opt-out
   * phrase is flagged for a person. The gateway's own classification (Twilio's OptOutType) counts as well. Replies are
   * recorded in that transaction and handed off after it commits.
   */
  async handleInbound(companyId: number, inbound: InboundSms, observer: InboundObserver = {}): Promise<InboundResult> {
    const company = await recentCompanySettings(this.database, companyId);
    const phone = normaliseSender(inbound.from, company.default_country as CountryCode);
    if (!phone.ok) throw invalidInput([{ field: 'from', value: inbound.from, message: `${phone.reason} (accepted: a phone number in any written form)` }]);
    // A repeated delivery is found by the unique gateway id when its message is inserted (below), not by a read first:
    // one statement fewer on every message. A number with no profile yet cannot have sent anything before.

    const classified = classifyInbound(inbound.body);
    const intent: MessageIntent =
      classified === 'stop' || inbound.optOutType === 'STOP' ? 'stop'
        : classified === 'start' || inbound.optOutType === 'START' ? 'start'
          : classified === 'help' || inbound.optOutType === 'HELP' ? 'help'
            : 'other';
    // Keywords are one word of letters and digits (campaigns.service checkKeywords): anything else is not looked up.
    const path = intent === 'other' && classified === 'other' && ONE_WORD.test(normaliseInbound(inbound.body)) ? await recentOptInPathByKeyword(this.database, companyId, inbound.body) : undefined;
    const possibleOptOut = classified === 'possible_opt_out' && intent === 'other';

    // Most texts change nothing but their conversation: recorded in one statement when the profile's state says so
    // (InertInbound: a plain text; a STOP after the person's own STOP; a keyword from an opted-out profile or one already
    // subscribed to its campaign). Anything else, or a state that does not fit, takes the transaction below. Tests that
    // watch a STOP commit take it always.
    const when = inertWhen(intent, path, inbound, observer);
    if (when) {
      const inert = await repo.recordInertInbound(this.database, companyId, {
        phone: phone.e164, body: inbound.body, gateway: this.gateway.name, gatewayMessageId: inbound.gatewayMessageId, possibleOptOut,
        intent: path ? 'keyword' : (intent as 'other' | 'stop'), campaignId: path?.campaign_id ?? null, when, at: inbound.receivedAt,
      });
      if (inert.outcome === 'recorded') {
        return { message: toMessageView(inert.message), profileId: inert.message.profile_id, profileCreated: false, replies: [], handoffs: Promise.resolve([]), duplicate: false };
      }
    }

    // One short transaction does all of it: the profile (locked, or created when the number is new), the message, what
    // it changes, and the replies it causes, recorded as queued. The gateway is called only after the commit (dispatch).
    const record = (trx: DbScope) => async (): Promise<{ profileId: number; profileCreated: boolean; message: repo.MessageRow; replies: repo.MessageRow[] }> => {
      let profileId = (await lockProfileStateByPhone(trx, companyId, phone.e164))?.id;
      let profileCreated = false;
      if (profileId === undefined) {
        // A new row is locked by its insert until this transaction ends, as an existing one is by the read above.
        const created = await createPhoneProfileIn(trx, companyId, INBOUND_ACTOR, phone.e164, path ? { sourceType: 'Opted in', sourceName: path.name } : { sourceType: 'Unknown', sourceName: null }, { absent: true });
        profileId = created.profileId;
        profileCreated = created.created;
      }
      const id = profileId;
      const message = await repo.insertMessage(trx, companyId, {
        profile_id: id,
        direction: 'inbound',
        body: inbound.body,
        status: 'received',
        gateway: this.gateway.name,
        gateway_message_id: inbound.gatewayMessageId,
        error_code: null,
        error_message: null,
        carrier_name: null,
        possible_opt_out: possibleOptOut ? 1 : 0,
        intent: path ? 'keyword' : intent,
        campaign_id: path?.campaign_id ?? null,
        created_at: inbound.receivedAt,
        updated_at: inbound.receivedAt,
      });
      // Another delivery of the same message got here first (the unique gateway id); its work stands.
      if (!message) throw new DuplicateDelivery();
      const drafts = await this.act(trx, companyId, id, inbound, intent, path, company);
      if (intent === 'stop') observer.stopCommitting?.(id);
      const replies: repo.MessageRow[] = [];
      for (const draft of drafts) {
        const reply = await this.recordOutbound(trx, companyId, id, draft);
        if (!('refused' in reply)) replies.push(reply);
      }
      // A reply moves the conversation on itself; a message with a reply is never a possible opt-out (see above).
      if (!replies.length) await repo.touchConversation(trx, companyId, id, message.id, possibleOptOut, inbound.receivedAt);
      return { profileId: id, profileCreated, message, replies };
    };

    let recorded: Awaited<ReturnType<ReturnType<typeof record>>>;
    for (let attempt = 1; ; attempt++) {
      try {
        recorded = await inTransaction(this.database, (trx) => record(trx)());
        break;
      } catch (error) {
        if (error instanceof DuplicateDelivery) {
          return this.duplicate(companyId, (await repo.findByGatewayId(this.database.db, companyId, this.gateway.name, inbound.gatewayMessageId))!);
        }
        // Two first messages from one new number at once: the loser's insert of the profile fails; run again, it finds it.
        if (!this.database.isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
    const replies = recorded.replies.map(toMessageView);
    return {
      message: toMessageView(recorded.message),
      profileId: recorded.profileId,
      profileCreated: recorded.profileCreated,
      replies,
      handoffs: replies.length ? this.dispatch(companyId, recorded.replies.map((r) => r.id)) : Promise.resolve([]),
      duplicate: false,
    };
  }

  /**
   * Hands recorded messages to the gateway after the transaction that recorded them, one after another, without holding
   * up the request that recorded them. A failure (or a crash) leaves a message queued, and sweepQueued hands it off later.
   * The answer is the messages after their handoff, for a caller that wants to wait (the phone simulator).
   */
  private dispatch(companyId: number, messageIds: number[]): Promise<MessageView[]> {
    const run = (async () => {
      const views: MessageView[] = [];
      for (const id of messageIds) views.push(await this.handOff(companyId, id));
      return views;
    })();
    const tracked: Promise<unknown> = run.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return run;
  }

  /** Resolves once every handoff dispatched so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /**
   * The fallback of dispatch: hands off outbound messages of this gateway still queued `olderThanMs` after they were
   * recorded (the process that recorded them stopped, or their handoff failed). handOff checks again under the profile's
   * lock that a message is still queued, so a message that another process is handing off meanwhile goes out once.
   */
  async sweepQueued(olderThanMs: number = SWEEP_AGE_MS): Promise<number> {
    const stale = await repo.staleQueuedOutbound(this.database.db, this.gateway.name, new Date(Date.now() - olderThanMs).toISOString(), 100, nowIso());
    for (const message of stale) {
      try {
        await this.handOff(message.company_id, message.id);
      } catch {
        // Left queued for the next sweep; one failing message must not hold up the others.
      }
    }
    return stale.length;
  }

  private duplicate(companyId: number, message: repo.MessageRow): InboundResult {
    void companyId;
    return { message: toMessageView(message), profileId: message.profile_id, profileCreated: false, replies: [], handoffs: Promise.resolve([]), duplicate: true };
  }

  /** What an inbound message does to its (locked) profile, inside its transaction; answers the replies to record. */
  private async act(
    trx: DbScope,
    companyId: number,
    profileId: number,
    inbound: InboundSms,
    intent: MessageIntent,
    path: OptInPathView | undefined,
    company: { help_text: string | null; stop_reply: string | null },
  ): Promise<ReplyDraft[]> {
    const at = inbound.receivedAt;
    switch (intent) {
      case 'stop': {
        const result = await optOutProfile(trx, companyId, INBOUND_ACTOR, profileId, 'Texted a STOP word', at);
        // One confirmation, only when this STOP is what opted the profile out: a profile already out (by staff, the blacklist,
        // a bounce) was getting nothing and gets nothing now. A gateway that classified the STOP itself (Twilio Advanced
        // Opt-Out) has sent its own.
        const text = stopReply(company.stop_reply);
        return text && result.outcome === 'opted_out' && inbound.optOutType !== 'STOP' ? [{ body: text, intent: 'stop', campaignId: null }] : [];
      }
      case 'start': {
        await resubscribeAfterStop(trx, companyId, INBOUND_ACTOR, profileId, at);
        if (normaliseInbound(inbound.body) !== 'YES') return [];
        const confirmed = await confirmPending(trx, companyId, INBOUND_ACTOR, { profileId, at });
        const drafts: ReplyDraft[] = [];
        for (const subscription of confirmed) {
          const welcome = subscription.opt_in_path_id ? await this.welcomeOf(trx, companyId, subscription.opt_in_path_id) : null;
          if (welcome) drafts.push({ body: welcome, intent: 'start', campaignId: subscription.campaign_id });
        }
        return drafts;
      }
      case 'help':
        return [{ body: helpReply(company.help_text), intent: 'help', campaignId: null }];
      default: {
        if (!path) return [];
        let result: Awaited<ReturnType<typeof subscribe>>;
        try {
          result = await subscribe(trx, companyId, INBOUND_ACTOR, { profileId, campaignId: path.campaign_id, optInPathId: path.id, at });
        } catch (error) {
          // The keyword's campaign has ended (or its path is gone): the message is kept, nothing is subscribed.
          if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found')) return [];
          throw error;
        }
        if (result.outcome === 'subscribed' && path.welcome_message) return [{ body: path.welcome_message, intent: 'keyword', campaignId: path.campaign_id }];
        if (result.outcome === 'pending') return [{ body: confirmPrompt(result.subscription!.campaign_name), intent: 'keyword', campaignId: path.campaign_id }];
        return [];
      }
    }
  }

  private async welcomeOf(trx: DbScope, companyId: number, pathId: number): Promise<string | null> {
    const row = await trx.db.selectFrom('opt_in_paths').select('welcome_message').where('company_id', '=', companyId).where('id', '=', pathId).executeTakeFirst();
    return row?.welcome_message ?? null;
  }
}

/** A profile's conversation, newest first, a page at a time, with whether it may be texted now. */
export async function profileMessages(database: Database, companyId: number, profileId: number, query: { limit?: number; before?: number }) {
  const profile = await findProfile(database.db, companyId, profileId);
  if (!profile) throw notFound('Profile');
  const limit = query.limit ?? 50;
  const rows = await repo.pageOfConversation(database.db, companyId, profileId, limit + 1, query.before);
  const page = rows.slice(0, limit);
  const reason = untextableReason(profile);
  return {
    data: page.map(toMessageView),
    next_before: rows.length > limit ? page[page.length - 1]!.id : null,
    textable: reason === null,
    untextable_reason: reason,
  };
}

/** The phone simulator's thread with a number in any written form, oldest first (the latest 200); empty when it is no profile's. */
export async function simulatorThread(database: Database, companyId: number, rawNumber: string): Promise<MessageView[]> {
  const company = await getCompanySettings(database, companyId);
  const phone = normalisePhone(rawNumber, company.default_country as CountryCode);
  if (!phone.ok) throw invalidInput([{ field: 'number', value: rawNumber, message: `${phone.reason} (accepted: a phone number in any written form)` }]);
  const profile = await findProfileByPhone(database.db, companyId, phone.e164);
  if (!profile) return [];
  return (await repo.pageOfConversation(database.db, companyId, profile.id, 200)).reverse().map(toMessageView);
}

export interface InboxEntry {
  profile_id: number;
  phone_number: string | null;
  first_name: string | null;
  last_name: string | null;
  status: string;
  description: string | null;
  last_message: MessageView;
  possible_opt_out: boolean;
}

/** The Inbox: conversations, latest first; only those with an unreviewed possible opt-out when asked. */
export async function inbox(database: Database, companyId: number, query: { page?: number; per_page?: number; possible_opt_out?: boolean }) {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 50;
  const possibleOptOut = query.possible_opt_out ?? false;
  const [rows, total] = await Promise.all([
    repo.pageOfInbox(database.db, companyId, { possibleOptOut, limit: perPage, offset: (page - 1) * perPage }),
    repo.countInbox(database.db, companyId, possibleOptOut),
  ]);
  const profiles = new Map<number, ProfileRow>((await findProfilesByIds(database.db, companyId, rows.map((r) => r.profile_id))).map((p) => [p.id, p]));
  const messages = new Map((await repo.findMessagesByIds(database.db, companyId, rows.map((r) => r.last_message_id))).map((m) => [m.id, m]));
  const data: InboxEntry[] = [];
  for (const row of rows) {
    const profile = profiles.get(row.profile_id);
    const message = messages.get(row.last_message_id);
    if (!profile || !message) continue;
    data.push({
      profile_id: profile.id,
      phone_number: profile.phone_number ?? profile.raw_phone,
      first_name: profile.first_name,
      last_name: profile.last_name,
      status: profile.status,
      description: describeStatus(profile.status, profile.opted_out_source),
      last_message: toMessageView(message),
      possible_opt_out: row.possible_opt_outs > 0,
    });
  }
  return { data, page, per_page: perPage, total };
}

/** A person looked at a message flagged as a possible opt-out and found it is not one. */
export async function dismissPossibleOptOut(database: Database, companyId: number, actor: Actor, messageId: number): Promise<MessageView> {
  return inTransaction(database, async (trx) => {
    const found = await repo.findMessage(trx.db, companyId, messageId);
    if (!found) throw notFound('Message');
    await lockProfileStates(trx, companyId, [found.profile_id]);
    const message = (await repo.findMessage(trx.db, companyId, messageId))!;
    if (message.possible_opt_out === 1) {
      const at = nowIso();
      await repo.updateMessage(trx.db, companyId, messageId, { possible_opt_out: 0, updated_at: at });
      await repo.dismissInConversation(trx.db, companyId, message.profile_id, at);
      await recordAudit(trx.db, companyId, actor, [{ action: 'message.possible_opt_out_dismissed', entityType: 'message', entityId: messageId, changes: { possible_opt_out: { before: true, after: false } } }]);
    }
    return toMessageView((await repo.findMessage(trx.db, companyId, messageId))!);
  });
}
