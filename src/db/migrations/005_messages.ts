/**
 * Messages (SPEC §4): every inbound (MO) and outbound (MT) text, one row each, and one conversation row per profile
 * that ever texted or was texted, which the Inbox lists (latest first) without grouping the messages table.
 * Led by company_id like every table (see 001). (company_id, gateway, gateway_message_id) is unique so that a gateway
 * delivering the same webhook twice records one message. The company's HELP answer and STOP confirmation live on
 * companies (null: the built-in text; an empty STOP confirmation: none is sent).
 */
export const messagesTable = `
CREATE TABLE messages (
  company_id {bigint} NOT NULL,
  id {id},
  profile_id {bigint} NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('received', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed')),
  gateway TEXT NOT NULL,
  gateway_message_id TEXT,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  carrier_name TEXT,
  possible_opt_out INTEGER NOT NULL DEFAULT 0,
  intent TEXT CHECK (intent IN ('stop', 'start', 'help', 'keyword', 'other')),
  campaign_id {bigint},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
  {company_pk}
);
CREATE UNIQUE INDEX messages_gateway_id ON messages (company_id, gateway, gateway_message_id);
CREATE INDEX messages_profile ON messages (company_id, profile_id, id);

-- One row per profile with messages: the Inbox's list, newest conversation first, and how many of its
-- inbound messages are flagged as a possible opt-out nobody has looked at yet.
CREATE TABLE conversations (
  company_id {bigint} NOT NULL,
  profile_id {bigint} NOT NULL,
  last_message_id {bigint} NOT NULL,
  possible_opt_outs INTEGER NOT NULL DEFAULT 0,
  updated_at {ts} NOT NULL,
  PRIMARY KEY (company_id, profile_id)
);
CREATE INDEX conversations_latest ON conversations (company_id, last_message_id);
CREATE INDEX conversations_possible_opt_out ON conversations (company_id, possible_opt_outs, last_message_id);

ALTER TABLE companies ADD COLUMN help_text TEXT;
ALTER TABLE companies ADD COLUMN stop_reply TEXT;
`;
