/** Shapes of the messaging API (chat, inbox, simulator) that these screens read. */

export type MessageDirection = 'inbound' | 'outbound';
export type MessageStatus = 'received' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface Message {
  id: number;
  profile_id: number;
  direction: MessageDirection;
  body: string;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  carrier_name: string | null;
  possible_opt_out: boolean;
  intent: string | null;
  campaign_id: number | null;
  created_at: string;
  updated_at: string;
}

/** GET /profiles/:id/messages: newest first, with whether the profile may be texted now. */
export interface ConversationPage {
  data: Message[];
  next_before: number | null;
  textable: boolean;
  untextable_reason: string | null;
}

export interface InboxConversation {
  profile_id: number;
  phone_number: string | null;
  first_name: string | null;
  last_name: string | null;
  status: string;
  description: string | null;
  last_message: Message;
  possible_opt_out: boolean;
}

export interface InboxPage {
  data: InboxConversation[];
  page: number;
  per_page: number;
  total: number;
}

export interface SimulatorState {
  enabled: boolean;
  gateway: string;
}

export interface SimulatedInbound {
  message: Message;
  profile_id: number;
  profile_created: boolean;
  replies: Message[];
}

/** Delivery states as people read them; an MT is one of the last six. */
export const MESSAGE_STATUS_LABELS: Record<MessageStatus, { label: string; color: string }> = {
  received: { label: 'Received', color: 'gray' },
  queued: { label: 'Queued', color: 'gray' },
  sending: { label: 'Sending', color: 'blue' },
  sent: { label: 'Sent', color: 'blue' },
  delivered: { label: 'Delivered', color: 'teal' },
  undelivered: { label: 'Undelivered', color: 'red' },
  failed: { label: 'Failed', color: 'red' },
};
