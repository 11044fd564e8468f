// The one interface every SMS gateway implements, and the normalised shapes
// the messaging engine sees. Nothing here knows about Twilio or the database:
// adapters translate their wire format into these types, and the engine
// decides what to store from the `disposition` alone.

/**
 * What Roster must do about a message (or a number) after a gateway's answer:
 * - `retry`: transient; the engine may try the message again (SPEC §4: once).
 * - `failed`: permanent for this message only; the number stays textable.
 * - `hard_bounce`: the number cannot receive texts for good → profile opt-out "Hard Bounce".
 * - `deactivated`: the carrier deactivated the number → profile opt-out "Phone was Deactivated".
 * - `opted_out`: the gateway or carrier says the recipient unsubscribed (e.g. they texted
 *   STOP to the gateway directly) → profile opt-out "Texted a STOP word".
 */
export type GatewayDisposition = 'retry' | 'failed' | 'hard_bounce' | 'deactivated' | 'opted_out';

export const GATEWAY_DISPOSITIONS: readonly GatewayDisposition[] = [
  'retry',
  'failed',
  'hard_bounce',
  'deactivated',
  'opted_out',
];

/** A mobile-terminated message as the engine hands it to a gateway. */
export interface OutboundSms {
  /** Recipient, E.164 (`+12025550143`). */
  to: string;
  /** Sender number or sender id; the gateway's configured sender when absent. */
  from?: string;
  body: string;
  /** Where the gateway should POST delivery reports for this message (Twilio: StatusCallback). */
  statusCallbackUrl?: string;
  /**
   * The engine's own id for this send attempt. The simulator answers a repeated key with the
   * first answer and does not send twice; Twilio's Messages API accepts no idempotency key,
   * so the Twilio adapter cannot honour it (see SendFailed.mayHaveBeenSent).
   */
  idempotencyKey?: string;
}

/** The gateway took the message; delivery reports follow asynchronously. */
export interface SendAccepted {
  outcome: 'accepted';
  /** The gateway's id for the message (Twilio: the `SM…` sid); delivery reports carry it. */
  gatewayMessageId: string;
  status: 'queued' | 'sent';
}

/** The gateway refused the message, or could not be reached. */
export interface SendFailed {
  outcome: 'failed';
  /** The gateway's error code as text (`'30005'`), or `'timeout'`, `'network_error'`, `'http_<status>'`. */
  code: string;
  /** A sentence for people: the gateway's own message where it gave one. */
  message: string;
  disposition: GatewayDisposition;
  /**
   * True when the request may have reached the gateway although no answer came back (a timeout
   * or a connection dropped mid-request). Retrying such a send can deliver the text twice; the
   * engine decides whether that risk is acceptable.
   */
  mayHaveBeenSent?: boolean;
}

export type SendResult = SendAccepted | SendFailed;

/** Advanced opt-out keywords a gateway may classify an inbound message as (Twilio: OptOutType). */
export type OptOutType = 'STOP' | 'START' | 'HELP';

/** A mobile-originated message, normalised from a gateway's inbound webhook. */
export interface InboundSms {
  /** The gateway's id for the message; the same id delivered twice is the same message. */
  gatewayMessageId: string;
  /** Sender, as the gateway wrote it (E.164 for Twilio SMS). */
  from: string;
  /** The number or short code the message was sent to. */
  to: string;
  body: string;
  /** Only when the gateway itself classified the message; Roster still applies its own STOP words (§3). */
  optOutType?: OptOutType;
  /** ISO 8601 UTC; when Roster received it (Twilio's webhook carries no timestamp). */
  receivedAt: string;
}

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

/** A status change of a message Roster sent, normalised from a status callback. */
export interface DeliveryReport {
  gatewayMessageId: string;
  status: DeliveryStatus;
  /** Recipient, when the report names it. */
  to?: string;
  /** The gateway's error code as text, for `undelivered` and `failed`. */
  errorCode?: string;
  /** What Roster must do, present for `undelivered` and `failed`. */
  disposition?: GatewayDisposition;
  /** The recipient's carrier, when the gateway reports it. */
  carrierName?: string;
}

/** Every gateway — the simulator and Twilio — implements this. */
export interface SmsGateway {
  /** `'simulator'`, `'twilio'`: stored beside messages so reports can be matched to their gateway. */
  readonly name: string;
  /** Hands one message to the gateway. Never throws for gateway or network trouble: that is a SendFailed. */
  send(message: OutboundSms): Promise<SendResult>;
  /** The longest one send() may take before it answers (a timeout is a SendFailed); the send lease is sized from it. 10 s when absent. */
  readonly timeoutMs?: number;
  /**
   * The recipient's carrier name, or null when the gateway does not know it.
   * Throws GatewayError when the gateway cannot be asked (credentials, network).
   */
  lookupCarrier?(e164: string): Promise<string | null>;
  /**
   * The deactivation feed: E.164 numbers that carriers deactivated on `day` (YYYY-MM-DD, UTC).
   * Each one should become "Phone was Deactivated". Throws GatewayError when the feed cannot be read.
   */
  deactivatedNumbers?(day: string): Promise<string[]>;
}

/** A gateway request that failed outside a send (lookup, deactivation feed). */
export class GatewayError extends Error {
  constructor(
    readonly gateway: string,
    /** As SendFailed.code. */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
