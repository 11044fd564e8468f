// Twilio error codes → what Roster does about them. Pure: no I/O.
//
// The same code can arrive two ways: in the error answer to the Messages API
// POST (21xxx, 20xxx: the message was never accepted) or as `ErrorCode` in a
// status callback (30xxx: accepted, then undelivered or failed). The
// disposition does not depend on which.
//
// Twilio has no error code for a deactivated number: carriers report
// deactivations in a daily list (the Deactivations API), read through
// SmsGateway.deactivatedNumbers. The simulator can answer `deactivated` directly.

import type { GatewayDisposition } from './gateway.js';

export interface TwilioErrorRule {
  disposition: GatewayDisposition;
  /** Twilio's name for the error. */
  meaning: string;
  /** Why Roster treats it this way. */
  why: string;
}

/** Every Twilio messaging error code Roster treats specially; others follow dispositionForTwilioError's defaults. */
export const TWILIO_ERROR_RULES: Readonly<Record<number, TwilioErrorRule>> = {
  // --- API errors (answers to POST …/Messages.json) --------------------------------------
  20003: {
    disposition: 'failed',
    meaning: 'Authenticate (Account SID or Auth Token incorrect)',
    why: 'Roster is misconfigured; retrying with the same credentials cannot succeed.',
  },
  20404: {
    disposition: 'failed',
    meaning: 'The requested resource was not found',
    why: 'Usually a wrong Account SID in the URL: configuration, not the recipient.',
  },
  20429: {
    disposition: 'retry',
    meaning: 'Too Many Requests',
    why: 'Rate limited; the same message can succeed later.',
  },
  20500: {
    disposition: 'retry',
    meaning: 'Internal Server Error',
    why: 'Twilio-side fault.',
  },
  20503: {
    disposition: 'retry',
    meaning: 'Service Unavailable',
    why: 'Twilio-side fault.',
  },
  21211: {
    disposition: 'hard_bounce',
    meaning: "Invalid 'To' Phone Number",
    why: 'The number cannot be texted at all; it will not become valid by retrying.',
  },
  21212: {
    disposition: 'failed',
    meaning: "Invalid 'From' Phone Number",
    why: "Roster's sender is wrong, not the recipient.",
  },
  21408: {
    disposition: 'failed',
    meaning: 'Permission to send an SMS has not been enabled for the region indicated by the To number',
    why: 'An account setting (geo permissions); the recipient may be fine once it is enabled.',
  },
  21602: {
    disposition: 'failed',
    meaning: 'Message body is required',
    why: 'This message is malformed.',
  },
  21603: {
    disposition: 'failed',
    meaning: "A 'From' phone number is required",
    why: 'Roster has no sender configured.',
  },
  21604: {
    disposition: 'failed',
    meaning: "A 'To' phone number is required",
    why: 'This request is malformed; nothing is known about a recipient.',
  },
  21606: {
    disposition: 'failed',
    meaning: "The 'From' phone number is not a valid, SMS-capable number for your account",
    why: "Roster's sender is wrong, not the recipient.",
  },
  21610: {
    disposition: 'opted_out',
    meaning: 'Attempt to send to unsubscribed recipient',
    why: 'The recipient texted STOP to the Twilio number (the STOP may never have reached Roster); Twilio will refuse every message until they text START.',
  },
  21611: {
    disposition: 'retry',
    meaning: "This 'From' number has exceeded the maximum number of queued messages",
    why: 'Back-pressure on the sender; the queue drains.',
  },
  21612: {
    disposition: 'failed',
    meaning: "The 'To' phone number is not currently reachable via SMS",
    why: 'Twilio cannot route between this sender and this recipient (e.g. a short code to a foreign number); a different sender could reach them, so the number is not bounced.',
  },
  21614: {
    disposition: 'hard_bounce',
    meaning: "'To' number is not a valid mobile number",
    why: 'Not a mobile number: it cannot receive texts for good.',
  },
  21617: {
    disposition: 'failed',
    meaning: 'The concatenated message body exceeds the 1600 character limit',
    why: 'This message is too long; the recipient is fine.',
  },
  21635: {
    disposition: 'hard_bounce',
    meaning: "'To' number cannot be a landline",
    why: 'A landline cannot receive texts for good.',
  },
  // --- Delivery errors (ErrorCode in status callbacks) ------------------------------------
  30001: {
    disposition: 'retry',
    meaning: 'Queue overflow',
    why: 'Too many messages queued at once; transient.',
  },
  30002: {
    disposition: 'failed',
    meaning: 'Account suspended',
    why: "Roster's Twilio account, not the recipient; retrying will not help until a person acts.",
  },
  30003: {
    disposition: 'retry',
    meaning: 'Unreachable destination handset',
    why: 'Phone off or out of coverage; it may be reachable later.',
  },
  30004: {
    disposition: 'failed',
    meaning: 'Message blocked',
    why: 'The recipient or their carrier blocked this message; not proof the number is dead or that they opted out.',
  },
  30005: {
    disposition: 'hard_bounce',
    meaning: 'Unknown destination handset',
    why: 'The number is unknown to its carrier or no longer active: unreachable for good.',
  },
  30006: {
    disposition: 'hard_bounce',
    meaning: 'Landline or unreachable carrier',
    why: 'A landline (or a carrier that cannot take SMS) cannot receive texts for good.',
  },
  30007: {
    disposition: 'failed',
    meaning: 'Message filtered (carrier violation)',
    why: "The carrier filtered this message's content or sender; the number is fine.",
  },
  30008: {
    disposition: 'retry',
    meaning: 'Unknown error',
    why: 'No information; one retry is the cautious answer.',
  },
  30009: {
    disposition: 'retry',
    meaning: 'Missing segment',
    why: 'A segment of a long message was lost in transit; transient.',
  },
  30010: {
    disposition: 'failed',
    meaning: 'Message price exceeds max price',
    why: 'The MaxPrice setting refused it; retrying costs the same.',
  },
  30011: {
    disposition: 'failed',
    meaning: 'MMS not supported by the receiving phone number in this region',
    why: 'This message (media) cannot go; a plain text could.',
  },
  30017: {
    disposition: 'retry',
    meaning: 'Carrier network congestion',
    why: 'Transient.',
  },
  30018: {
    disposition: 'failed',
    meaning: 'Destination carrier requires sender ID pre-registration',
    why: "Roster's sender is not registered; the recipient is fine.",
  },
  30019: {
    disposition: 'failed',
    meaning: 'Content size exceeds carrier limit',
    why: 'This message is too large.',
  },
  30022: {
    disposition: 'retry',
    meaning: 'US A2P 10DLC - Rate Limits Exceeded',
    why: 'Per-second throughput; the same message can succeed a little later.',
  },
  30023: {
    disposition: 'failed',
    meaning: 'US A2P 10DLC - Daily Message Cap Reached',
    why: 'The cap resets the next day; an immediate retry fails the same way.',
  },
  30024: {
    disposition: 'failed',
    meaning: 'Numeric sender ID not provisioned on carrier',
    why: "Roster's sender, not the recipient.",
  },
  30032: {
    disposition: 'failed',
    meaning: 'Toll-Free Number Has Not Been Verified',
    why: "Roster's sender is not verified; the recipient is fine.",
  },
  30034: {
    disposition: 'failed',
    meaning: 'US A2P 10DLC - Message from an Unregistered Number',
    why: "Roster's sender is not registered; the recipient is fine.",
  },
};

/**
 * What Roster must do about a Twilio error. `code` is Twilio's code (number or text); `httpStatus`
 * is the HTTP status of an API answer. A code in TWILIO_ERROR_RULES decides; otherwise HTTP 429 and
 * 5xx are transient (`retry`) and anything else is `failed`: an unknown code never bounces a number
 * or opts a person out on a guess.
 */
export function dispositionForTwilioError(
  code: number | string | null | undefined,
  httpStatus?: number,
): GatewayDisposition {
  const known = twilioErrorRule(code);
  if (known !== undefined) return known.disposition;
  if (httpStatus !== undefined && (httpStatus === 429 || httpStatus >= 500)) return 'retry';
  return 'failed';
}

/** The rule for a Twilio error code, if Roster knows it. */
export function twilioErrorRule(code: number | string | null | undefined): TwilioErrorRule | undefined {
  if (code === null || code === undefined) return undefined;
  const text = String(code).trim();
  if (!/^\d{1,6}$/.test(text)) return undefined;
  return TWILIO_ERROR_RULES[Number(text)];
}
