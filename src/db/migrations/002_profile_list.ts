/**
 * Indexes and search structures for the Profiles table (SPEC §5), per engine because text search differs:
 * SQLite keeps a contentless FTS5 trigram index in step with triggers; PostgreSQL a generated
 * search column with a pg_trgm GIN index. Both match any substring of name, email or phone digits.
 */
export const profileListShared = `
CREATE INDEX profiles_source_type ON profiles (company_id, source_type, created_at, id);
CREATE INDEX profiles_opt_out_source ON profiles (company_id, opted_out_source, created_at, id);
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
`;

export const profileListPostgres = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE profiles ADD COLUMN search_text TEXT GENERATED ALWAYS AS (lower(${SEARCH_TEXT('')})) STORED;

-- A trigram GIN index cannot lead with company_id without btree_gin; matches are filtered by company after.
CREATE INDEX profiles_search ON profiles USING gin (search_text gin_trgm_ops);
`;
