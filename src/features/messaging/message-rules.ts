/**
 * Pure rules of the messaging engine (SPEC §3, §4): what a gateway's disposition does to a profile, how a delivery
 * status may move, and the built-in reply texts. No I/O.
 */
import type { DeliveryStatus, GatewayDisposition } from './gateways/gateway.js';
import type { OptOutReason } from '../profiles/profile-rules.js';

export const MESSAGE_STATUSES = ['received', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const MESSAGE_INTENTS = ['stop', 'start', 'help', 'keyword', 'other'] as const;
export type MessageIntent = (typeof MESSAGE_INTENTS)[number];

/** The profile-level opt-out a gateway's disposition calls for, or null (a retry or a failure of this message only). */
export function optOutForDisposition(disposition: GatewayDisposition | undefined): OptOutReason | null {
  switch (disposition) {
    case 'hard_bounce':
      return 'Hard Bounce';
    case 'deactivated':
      return 'Phone was Deactivated';
    case 'opted_out':
      return 'Texted a STOP word';
    default:
      return null;
  }
}

// Reports can arrive out of order (Twilio posts `sent` and `delivered` separately, over separate connections), so a
// status only moves forward; a final status never changes.
const RANK: Record<MessageStatus, number> = { received: 0, queued: 1, sending: 2, sent: 3, delivered: 4, undelivered: 4, failed: 4 };

/** The status a message has after a delivery report: the report's, unless the message is already as far or further. */
export function nextDeliveryStatus(current: string, reported: DeliveryStatus): MessageStatus {
  const now = (MESSAGE_STATUSES as readonly string[]).includes(current) ? (current as MessageStatus) : 'queued';
  return RANK[reported] > RANK[now] ? reported : now;
}

/** The answer to HELP when the company has written none. */
export const DEFAULT_HELP_TEXT = 'Reply STOP to stop receiving messages, START to receive them again. Msg & data rates may apply.';
/** The one confirmation of a STOP when the company has written none. */
export const DEFAULT_STOP_REPLY = 'You are unsubscribed and will receive no more messages. Reply START to resubscribe.';

/** The text of a HELP answer. */
export function helpReply(companyText: string | null): string {
  return companyText?.trim() || DEFAULT_HELP_TEXT;
}

/** The text of a STOP confirmation, or null when the company sends none (an empty text). */
export function stopReply(companyText: string | null): string | null {
  if (companyText === null) return DEFAULT_STOP_REPLY;
  return companyText.trim() || null;
}

/** What a keyword on a double opt-in path answers: the subscription waits for this YES. */
export function confirmPrompt(campaignName: string): string {
  return `Reply YES to confirm your subscription to ${campaignName}. Reply STOP to cancel.`;
}

/** A message body as it may be sent: not empty, at most 1,600 characters (Twilio's limit, 10 segments). */
export function bodyProblem(body: string): string | null {
  if (body.trim() === '') return 'must not be empty';
  if (body.length > 1600) return 'must be at most 1600 characters (one text message of up to 10 segments)';
  return null;
}
