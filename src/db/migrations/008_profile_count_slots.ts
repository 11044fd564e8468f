/**
 * PostgreSQL: the kept profile counts (003) were one row per (company, status, status filter, first seen type, opt-out
 * reason), so every transaction that created a profile or changed a status held the company's one hot row until it
 * committed, and concurrent inbound messages from new numbers or STOPs waited for each other (bench/inbound.ts). Each
 * key now has up to 32 rows (slots); a transaction adds its +1 and -1 to the slot of its own connection, so concurrent
 * writers rarely meet, and readers add the slots up (profile-list.repository countMatching sums `n` already).
 * A connection's transactions only ever touch its own slot, so they meet other transactions in the same order as before.
 * SQLite has one writer at a time: its counts stay as they are.
 */
const SLOT = '(pg_backend_pid() % 32)';

export const profileCountSlotsPostgres = `
ALTER TABLE profile_counts ADD COLUMN slot smallint NOT NULL DEFAULT 0;
ALTER TABLE profile_counts DROP CONSTRAINT profile_counts_pkey;
ALTER TABLE profile_counts ADD PRIMARY KEY (company_id, status, status_filter, source_type, opted_out_source, slot);
CREATE OR REPLACE FUNCTION profile_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    WITH moved AS (
      SELECT o.company_id, o.status AS old_status, o.status_filter AS old_filter, o.source_type AS old_source_type, coalesce(o.opted_out_source, '') AS old_oos,
             w.status AS new_status, w.status_filter AS new_filter, w.source_type AS new_source_type, coalesce(w.opted_out_source, '') AS new_oos
      FROM old_rows o JOIN new_rows w ON w.company_id = o.company_id AND w.id = o.id
      WHERE (o.status, o.status_filter, o.source_type, o.opted_out_source) IS DISTINCT FROM (w.status, w.status_filter, w.source_type, w.opted_out_source)
    )
    INSERT INTO profile_counts AS c (company_id, status, status_filter, source_type, opted_out_source, slot, n)
      SELECT company_id, status, status_filter, source_type, oos, ${SLOT}, sum(n) FROM (
        SELECT company_id, old_status AS status, old_filter AS status_filter, old_source_type AS source_type, old_oos AS oos, -1 AS n FROM moved
        UNION ALL
        SELECT company_id, new_status, new_filter, new_source_type, new_oos, 1 FROM moved
      ) m GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source, slot) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO profile_counts AS c (company_id, status, status_filter, source_type, opted_out_source, slot, n)
      SELECT company_id, status, status_filter, source_type, coalesce(opted_out_source, ''), ${SLOT}, -count(*) FROM old_rows
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source, slot) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    INSERT INTO profile_counts AS c (company_id, status, status_filter, source_type, opted_out_source, slot, n)
      SELECT company_id, status, status_filter, source_type, coalesce(opted_out_source, ''), ${SLOT}, count(*) FROM new_rows
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (company_id, status, status_filter, source_type, opted_out_source, slot) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
`;

export const profileCountSlotsSqlite = `
SELECT 1;
`;
