/**
 * The send lease (Messaging.handOff): a message handed to the gateway is marked `sending` until `lease_until` in a
 * short transaction of its own, and the gateway is called outside any transaction. Before, the handoff held the
 * profile's lock (on SQLite the database's one write lock) for the whole gateway call, so every other write waited
 * for Twilio's answer. An opt-out now waits instead for the live leases of its profile (send-leases.ts), which keeps
 * the send invariant (SPEC §3). Almost no message is `sending` at any moment: a partial index keeps finding them short.
 */
export const sendLeases = `
ALTER TABLE messages ADD COLUMN lease_until {ts};
CREATE INDEX messages_sending ON messages (company_id, profile_id) WHERE status = 'sending';
`;
