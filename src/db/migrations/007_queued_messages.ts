/**
 * The dispatcher's fallback sweep (Messaging.sweepQueued) looks for outbound messages still queued: a partial index
 * keeps that a short read however many messages were ever sent (almost none are queued at any moment).
 */
export const queuedMessagesIndex = `
CREATE INDEX messages_queued ON messages (updated_at) WHERE status = 'queued';
`;
