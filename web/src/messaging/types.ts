/** The messaging API's answers (chat, inbox, simulator) these screens read, as the routes declare them (generated: ../api/openapi.ts). */
import type { Answer } from '../api/openapi';

/** GET /profiles/:id/messages: newest first, with whether the profile may be texted now. */
export type ConversationPage = Answer<'/api/v1/profiles/{id}/messages', 'get'>;

export type Message = ConversationPage['data'][number];
export type MessageDirection = Message['direction'];
export type MessageStatus = Message['status'];

export type InboxPage = Answer<'/api/v1/inbox', 'get'>;

export type InboxConversation = InboxPage['data'][number];

export type SimulatorState = Answer<'/api/v1/simulator', 'get'>;

export type SimulatedInbound = Answer<'/api/v1/simulator/messages', 'post'>;

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
