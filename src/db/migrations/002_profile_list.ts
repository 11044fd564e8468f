/**
 * Indexes and search structures for the Profiles table (SPEC §5), per engine because text search differs:
 * SQLite keeps a contentless FTS5 trigram index in step with triggers; PostgreSQL a generated
 * search column with a pg_trgm GIN index. Both match any substring of name, email or phone digits.
 */
export const profileListShared = `
CREATE INDEX profiles_source_type ON profiles (company_id, source_type, created_at, id);
CREATE INDEX profiles_opt_out_source ON profiles (company_id, opted_out_source, created_at, id);

-- Exact totals for the table's common filters without counting a million rows: how many profiles
-- each company has per (status, first seen type, opt-out source), kept by triggers in the same transaction.
CREATE TABLE profile_counts (
  company_id {bigint} NOT NULL,
  status TEXT NOT NULL,
  source_type TEXT NOT NULL,
  opted_out_source TEXT NOT NULL,
  n {bigint} NOT NULL,
  PRIMARY KEY (company_id, status, source_type, opted_out_source)
);
INSERT INTO profile_counts (company_id, status, source_type, opted_out_source, n)
  SELECT company_id, status, source_type, coalesce(opted_out_source, ''), count(*) FROM profiles
  GROUP BY company_id, status, source_type, coalesce(opted_out_source, '');
`;

const SEARCH_TEXT = (p: string) =>
  `coalesce(${p}first_name, '') || ' ' || coalesce(${p}last_name, '') || ' ' || coalesce(${p}email, '') || ' ' || coalesce(${p}phone_digits, '')`;

export const profileListSqlite = `
CREATE VIRTUAL TABLE profiles_search USING fts5(search_text, content='', contentless_delete=1, tokenize='trigram remove_diacritics 1');

INSERT INTO profiles_search (rowid, search_text) SELECT id, ${SEARCH_TEXT('')} FROM profiles;

CREATE TRIGGER profiles_search_insert AFTER INSERT ON profiles BEGIN
  INSERT INTO profiles_search (rowid, search_text) VALUES (new.id, ${SEARCH_TEXT('new.')});
END;

CREATE TRIGGER profiles_search_update AFTER UPDATE OF first_name, last_name, email, phone_digits ON profiles BEGIN
  DELETE FROM profiles_search WHERE rowid = old.id;
  INSERT INTO profiles_search (rowid, search_text) VALUES (new.id, ${SEARCH_TEXT('new.')});
END;

CREATE TRIGGER profiles_search_delete AFTER DELETE ON profiles BEGIN
  DELETE FROM profiles_search WHERE rowid = old.id;
END;

CREATE TRIGGER profile_counts_insert AFTER INSERT ON profiles BEGIN
  INSERT INTO profile_counts (company_id, status, source_type, opted_out_source, n)
  VALUES (new.company_id, new.status, new.source_type, coalesce(new.opted_out_source, ''), 1)
  ON CONFLICT (company_id, status, source_type, opted_out_source) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER profile_counts_delete AFTER DELETE ON profiles BEGIN
  UPDATE profile_counts SET n = n - 1
  WHERE company_id = old.company_id AND status = old.status AND source_type = old.source_type AND opted_out_source = coalesce(old.opted_out_source, '');
END;

CREATE TRIGGER profile_counts_update AFTER UPDATE OF status, source_type, opted_out_source ON profiles
WHEN old.status IS NOT new.status OR old.source_type IS NOT new.source_type OR old.opted_out_source IS NOT new.opted_out_source BEGIN
  UPDATE profile_counts SET n = n - 1
  WHERE company_id = old.company_id AND status = old.status AND source_type = old.source_type AND opted_out_source = coalesce(old.opted_out_source, '');
  INSERT INTO profile_counts (company_id, status, source_type, opted_out_source, n)
  VALUES (new.company_id, new.status, new.source_type, coalesce(new.opted_out_source, ''), 1)
  ON CONFLICT (company_id, status, source_type, opted_out_source) DO UPDATE SET n = n + 1;
END;
`;

export const profileListPostgres = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE profiles ADD COLUMN search_text TEXT GENERATED ALWAYS AS (lower(${SEARCH_TEXT('')})) STORED;

-- A trigram GIN index cannot lead with company_id without btree_gin; matches are filtered by company after.
CREATE INDEX profiles_search ON profiles USING gin (search_text gin_trgm_ops);

-- Statement-level triggers fold a bulk write into one counter update per group, not one per row;
-- an update touches the counters only for rows whose counted columns changed, so editing names never
-- contends on them.
CREATE FUNCTION profile_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    WITH moved AS (
      SELECT o.company_id, o.status AS old_status, o.source_type AS old_source_type, coalesce(o.opted_out_source, '') AS old_oos,
             w.status AS new_status, w.source_type AS new_source_type, coalesce(w.opted_out_source, '') AS new_oos
      FROM old_rows o JOIN new_rows w ON w.company_id = o.company_id AND w.id = o.id
      WHERE (o.status, o.source_type, o.opted_out_source) IS DISTINCT FROM (w.status, w.source_type, w.opted_out_source)
    )
    INSERT INTO profile_counts AS c (company_id, status, source_type, opted_out_source, n)
      SELECT company_id, status, source_type, oos, sum(n) FROM (
        SELECT company_id, old_status AS status, old_source_type AS source_type, old_oos AS oos, -1 AS n FROM moved
        UNION ALL
        SELECT company_id, new_status, new_source_type, new_oos, 1 FROM moved
      ) m GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (company_id, status, source_type, opted_out_source) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE profile_counts c SET n = c.n - d.n
    FROM (SELECT company_id, status, source_type, coalesce(opted_out_source, '') AS opted_out_source, count(*) AS n
          FROM old_rows GROUP BY 1, 2, 3, 4) d
    WHERE c.company_id = d.company_id AND c.status = d.status AND c.source_type = d.source_type AND c.opted_out_source = d.opted_out_source;
  ELSE
    INSERT INTO profile_counts AS c (company_id, status, source_type, opted_out_source, n)
      SELECT company_id, status, source_type, coalesce(opted_out_source, ''), count(*) FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (company_id, status, source_type, opted_out_source) DO UPDATE SET n = c.n + excluded.n;
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
