/**
 * Groups and CSV uploads (SPEC §7). A group is uploaded (static members in group_members) or filtered (a saved
 * Profiles-list filter in `filter`, evaluated when used). An upload is one CSV file: its row in `uploads` carries
 * status, progress and counts; while it runs, its valid rows wait in `upload_rows` (staged, so that a number repeated
 * later in the file can win and a malformed file changes nothing), and every rejected row's reasons go to
 * `upload_rejections`, the downloadable report. Every table is led by company_id like the rest (see 001).
 * The stored file lives under the data directory as `uploads/<company>/<stored_name>`, a random token, never user input.
 */
export const groupsUploadsShared = `
CREATE TABLE groups (
  company_id {bigint} NOT NULL,
  id {id},
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('uploaded', 'filtered')),
  filter TEXT,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
  {company_pk}
);
CREATE UNIQUE INDEX groups_company_name ON groups (company_id, name_key);
CREATE INDEX groups_company_kind ON groups (company_id, kind, id);

CREATE TABLE group_members (
  company_id {bigint} NOT NULL,
  group_id {bigint} NOT NULL,
  profile_id {bigint} NOT NULL,
  added_at {ts} NOT NULL,
  PRIMARY KEY (company_id, group_id, profile_id)
);
CREATE INDEX group_members_profile ON group_members (company_id, profile_id);

CREATE TABLE uploads (
  company_id {bigint} NOT NULL,
  id {id},
  file_name TEXT NOT NULL,
  stored_name TEXT NOT NULL,
  group_id {bigint},
  group_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  phase TEXT NOT NULL DEFAULT 'staging' CHECK (phase IN ('staging', 'merging', 'finished')),
  error TEXT,
  mapping TEXT,
  encoding TEXT,
  delimiter TEXT,
  bytes_total {bigint} NOT NULL DEFAULT 0,
  bytes_done {bigint} NOT NULL DEFAULT 0,
  rows_total {bigint},
  rows_done {bigint} NOT NULL DEFAULT 0,
  merged_through {bigint} NOT NULL DEFAULT 0,
  created_count {bigint} NOT NULL DEFAULT 0,
  updated_count {bigint} NOT NULL DEFAULT 0,
  unchanged_count {bigint} NOT NULL DEFAULT 0,
  rejected_count {bigint} NOT NULL DEFAULT 0,
  duplicate_count {bigint} NOT NULL DEFAULT 0,
  created_by_type TEXT NOT NULL,
  created_by_id {bigint},
  created_by_label TEXT NOT NULL,
  job_id {bigint},
  created_at {ts} NOT NULL,
  started_at {ts},
  finished_at {ts}
  {company_pk}
);
CREATE INDEX uploads_company ON uploads (company_id, id);

CREATE TABLE upload_rows (
  company_id {bigint} NOT NULL,
  upload_id {bigint} NOT NULL,
  row_number {bigint} NOT NULL,
  phone_number TEXT NOT NULL,
  input TEXT NOT NULL,
  PRIMARY KEY (company_id, upload_id, row_number)
);
CREATE INDEX upload_rows_phone ON upload_rows (company_id, upload_id, phone_number, row_number);

CREATE TABLE upload_rejections (
  company_id {bigint} NOT NULL,
  upload_id {bigint} NOT NULL,
  row_number {bigint} NOT NULL,
  position INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (company_id, upload_id, row_number, position)
);
`;

// A deleted profile leaves every group with it (deleting a profile is the profiles feature's business, not the groups').
export const groupsUploadsSqlite = `
CREATE TRIGGER group_members_profile_delete AFTER DELETE ON profiles BEGIN
  DELETE FROM group_members WHERE company_id = OLD.company_id AND profile_id = OLD.id;
END;
`;

export const groupsUploadsPostgres = `
CREATE FUNCTION group_members_profile_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM group_members g USING old_rows o WHERE g.company_id = o.company_id AND g.profile_id = o.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER group_members_profile_delete AFTER DELETE ON profiles REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION group_members_profile_delete();
`;
