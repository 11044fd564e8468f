/**
 * Campaigns, opt-in paths and their keywords, subscriptions and the blacklist (SPEC §3), and the profile's
 * stored Subscription status filter (`profiles.status_filter`), which the kept profile counts now include
 * so that every filter of the Profiles table is an index lookup with an exact total.
 * Every table is led by company_id like the rest (see 001). Written once for both engines, except the
 * counters' triggers, which are rebuilt per engine with the new column.
 */
export const subscriptionsShared = `
CREATE TABLE campaigns (
  company_id {bigint} NOT NULL,
  id {id},
  name TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  ended_at {ts}
  {company_pk}
);
CREATE INDEX campaigns_company ON campaigns (company_id, id);

CREATE TABLE opt_in_paths (
  company_id {bigint} NOT NULL,
  id {id},
  campaign_id {bigint} NOT NULL,
  name TEXT NOT NULL,
  double_opt_in INTEGER NOT NULL DEFAULT 0,
  welcome_message TEXT,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
  {company_pk}
);
CREATE INDEX opt_in_paths_campaign ON opt_in_paths (company_id, campaign_id, id);

-- A keyword belongs to one opt-in path of the company; keyword_key is its matching form (upper case).
CREATE TABLE opt_in_keywords (
  company_id {bigint} NOT NULL,
  keyword_key TEXT NOT NULL,
  keyword TEXT NOT NULL,
  opt_in_path_id {bigint} NOT NULL,
  PRIMARY KEY (company_id, keyword_key)
);
CREATE INDEX opt_in_keywords_path ON opt_in_keywords (company_id, opt_in_path_id);

-- opted_out_with_profile marks a subscription that a profile-level opt-out ended, so lifting that
-- opt-out (START after STOP, staff undoing their own) brings back exactly those.
CREATE TABLE subscriptions (
  company_id {bigint} NOT NULL,
  id {id},
  profile_id {bigint} NOT NULL,
  campaign_id {bigint} NOT NULL,
  opt_in_path_id {bigint},
  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'opted_out', 'removed')),
  activated_at {ts},
  opted_out_at {ts},
  opt_out_source TEXT,
  opted_out_with_profile INTEGER NOT NULL DEFAULT 0,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
  {company_pk}
);
CREATE UNIQUE INDEX subscriptions_profile_campaign ON subscriptions (company_id, profile_id, campaign_id);
CREATE INDEX subscriptions_campaign ON subscriptions (company_id, campaign_id, status, id);
CREATE INDEX subscriptions_path ON subscriptions (company_id, opt_in_path_id);

CREATE TABLE blacklisted_numbers (
  company_id {bigint} NOT NULL,
  id {id},
  phone_number TEXT NOT NULL,
  note TEXT,
  created_by TEXT NOT NULL,
  created_at {ts} NOT NULL
  {company_pk}
);
CREATE UNIQUE INDEX blacklisted_numbers_phone ON blacklisted_numbers (company_id, phone_number);
CREATE INDEX blacklisted_numbers_company ON blacklisted_numbers (company_id, id);

-- The Subscription status filter of SPEC §3 a profile falls under (active, former, none, opted_out, invalid),
-- kept with its status; no subscription existed before this migration, so only opt-outs and invalid numbers move.
ALTER TABLE profiles ADD COLUMN status_filter TEXT NOT NULL DEFAULT 'none' CHECK (status_filter IN ('active', 'former', 'none', 'opted_out', 'invalid'));
`;

const BACKFILL = `
UPDATE profiles SET status_filter = CASE status WHEN 'Opted Out' THEN 'opted_out' ELSE 'invalid' END
  WHERE status IN ('Opted Out', 'Invalid Profile Data');

DROP TABLE profile_counts;
CREATE TABLE profile_counts (
  company_id {bigint} NOT NULL,
  status TEXT NOT NULL,
  status_filter TEXT NOT NULL,
  source_type TEXT NOT NULL,
  opted_out_source TEXT NOT NULL,
  n {bigint} NOT NULL,
  PRIMARY KEY (company_id, status, status_filter, source_type, opted_out_source)
);
INSERT INTO profile_counts (company_id, status, status_filter, source_type, opted_out_source, n)
  SELECT company_id, status, status_filter, source_type, coalesce(opted_out_source, ''), count(*) FROM profiles
  GROUP BY company_id, status, status_filter, source_type, coalesce(opted_out_source, '');

CREATE INDEX profiles_status_filter ON profiles (company_id, status_filter, created_at, id);
`;

const KEY = (p: string) => `${p}company_id, ${p}status, ${p}status_filter, ${p}source_type, coalesce(${p}opted_out_source, '')`;
const MATCH = (p: string) =>
  `company_id = ${p}company_id AND status = ${p}status AND status_filter = ${p}status_filter AND source_type = ${p}source_type AND opted_out_source = coalesce(${p}opted_out_source, '')`;

export const subscriptionsSqlite = `
DROP TRIGGER profile_counts_insert;
DROP TRIGGER profile_counts_delete;
DROP TRIGGER profile_counts_update;
${BACKFILL}
CREATE TRIGGER profile_counts_insert AFTER INSERT ON profiles BEGIN
  INSERT INTO profile_counts (company_id, status, status_filter, source_type, opted_out_source, n)
  VALUES (${KEY('new.')}, 1)
  ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER profile_counts_delete AFTER DELETE ON profiles BEGIN
  UPDATE profile_counts SET n = n - 1 WHERE ${MATCH('old.')};
END;

CREATE TRIGGER profile_counts_update AFTER UPDATE OF status, status_filter, source_type, opted_out_source ON profiles
WHEN old.status IS NOT new.status OR old.status_filter IS NOT new.status_filter OR old.source_type IS NOT new.source_type OR old.opted_out_source IS NOT new.opted_out_source BEGIN
  UPDATE profile_counts SET n = n - 1 WHERE ${MATCH('old.')};
  INSERT INTO profile_counts (company_id, status, status_filter, source_type, opted_out_source, n)
  VALUES (${KEY('new.')}, 1)
  ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source) DO UPDATE SET n = n + 1;
END;
`;

export const subscriptionsPostgres = `
DROP TRIGGER profile_counts_insert ON profiles;
DROP TRIGGER profile_counts_update ON profiles;
DROP TRIGGER profile_counts_delete ON profiles;
${BACKFILL}
CREATE OR REPLACE FUNCTION profile_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    WITH moved AS (
      SELECT o.company_id, o.status AS old_status, o.status_filter AS old_filter, o.source_type AS old_source_type, coalesce(o.opted_out_source, '') AS old_oos,
             w.status AS new_status, w.status_filter AS new_filter, w.source_type AS new_source_type, coalesce(w.opted_out_source, '') AS new_oos
      FROM old_rows o JOIN new_rows w ON w.company_id = o.company_id AND w.id = o.id
      WHERE (o.status, o.status_filter, o.source_type, o.opted_out_source) IS DISTINCT FROM (w.status, w.status_filter, w.source_type, w.opted_out_source)
    )
    INSERT INTO profile_counts AS c (company_id, status, status_filter, source_type, opted_out_source, n)
      SELECT company_id, status, status_filter, source_type, oos, sum(n) FROM (
        SELECT company_id, old_status AS status, old_filter AS status_filter, old_source_type AS source_type, old_oos AS oos, -1 AS n FROM moved
        UNION ALL
        SELECT company_id, new_status, new_filter, new_source_type, new_oos, 1 FROM moved
      ) m GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE profile_counts c SET n = c.n - d.n
    FROM (SELECT company_id, status, status_filter, source_type, coalesce(opted_out_source, '') AS opted_out_source, count(*) AS n
          FROM old_rows GROUP BY 1, 2, 3, 4, 5) d
    WHERE c.company_id = d.company_id AND c.status = d.status AND c.status_filter = d.status_filter AND c.source_type = d.source_type
      AND c.opted_out_source = d.opted_out_source;
  ELSE
    INSERT INTO profile_counts AS c (company_id, status, status_filter, source_type, opted_out_source, n)
      SELECT company_id, status, status_filter, source_type, coalesce(opted_out_source, ''), count(*) FROM new_rows
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER profile_counts_insert AFTER INSERT ON profiles REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION profile_counts_apply();
CREATE TRIGGER profile_counts_update AFTER UPDATE ON profiles REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION profile_counts_apply();
CREATE TRIGGER profile_counts_delete AFTER DELETE ON profiles REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION profile_counts_apply();
`;
