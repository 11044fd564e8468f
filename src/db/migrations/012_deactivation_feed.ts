/**
 * The carriers' deactivation feed (SPEC §4: "a deactivation report makes it Phone was Deactivated"): the gateway
 * publishes, per day, the numbers carriers deactivated (Twilio's Deactivations API). Each day is applied once per
 * gateway: this table claims it (the primary key), so two processes never both apply a day, and keeps what it did.
 * It is the installation's (one gateway account serves every company), not a company's, like the job queue's claims.
 */
export const deactivationFeed = `
CREATE TABLE deactivation_days (
  gateway TEXT NOT NULL,
  day TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done')),
  numbers INTEGER NOT NULL DEFAULT 0,
  profiles_opted_out INTEGER NOT NULL DEFAULT 0,
  started_at {ts} NOT NULL,
  finished_at {ts},
  PRIMARY KEY (gateway, day)
);
`;
