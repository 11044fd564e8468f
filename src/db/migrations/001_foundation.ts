/**
 * Companies, access, profiles, custom fields, audit log and jobs.
 * Written once for both engines; `{id}`, `{ts}` and friends are filled in by the migrator.
 * Every table has company_id and every key and index leads with it so PostgreSQL can
 * be sharded by tenant (Citus) without a schema change. Exceptions say why.
 */
export const foundation = `
CREATE TABLE companies (
  id {id_pk},
  name TEXT NOT NULL,
  default_country TEXT NOT NULL DEFAULT 'US',
  gender_options TEXT NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
);

CREATE TABLE users (
  company_id {bigint} NOT NULL,
  id {id},
  email TEXT NOT NULL,
  name TEXT,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  disabled_at {ts}
  {company_pk}
);
-- Login is by email alone, so an email belongs to one company across the whole installation.
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_company ON users (company_id, id);

CREATE TABLE sessions (
  company_id {bigint} NOT NULL,
  token_hash TEXT NOT NULL,
  user_id {bigint} NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at {ts} NOT NULL,
  expires_at {ts} NOT NULL,
  PRIMARY KEY (company_id, token_hash)
);
-- A cookie carries only the token, so the lookup cannot know the company first.
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);

CREATE TABLE api_keys (
  company_id {bigint} NOT NULL,
  id {id},
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  created_by TEXT,
  created_at {ts} NOT NULL,
  last_used_at {ts},
  revoked_at {ts}
  {company_pk}
);
-- A bearer token carries only the key, so the lookup cannot know the company first.
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_company ON api_keys (company_id, id);

CREATE TABLE audit_log (
  company_id {bigint} NOT NULL,
  id {id},
  actor_type TEXT NOT NULL,
  actor_id {bigint},
  actor_label TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT,
  changes TEXT NOT NULL,
  created_at {ts} NOT NULL
  {company_pk}
);
CREATE INDEX audit_log_recent ON audit_log (company_id, id);
CREATE INDEX audit_log_entity ON audit_log (company_id, entity_type, entity_id, id);

CREATE TABLE profiles (
  company_id {bigint} NOT NULL,
  id {id},
  phone_number TEXT,
  raw_phone TEXT,
  phone_digits TEXT,
  email TEXT,
  first_name TEXT,
  last_name TEXT,
  street1 TEXT,
  street2 TEXT,
  city TEXT,
  state TEXT,
  postal_code TEXT,
  country TEXT,
  congressional_district TEXT,
  state_upper_district TEXT,
  state_lower_district TEXT,
  split_district INTEGER,
  latitude {real},
  longitude {real},
  precision TEXT,
  geocoded_city TEXT,
  geocoded_state TEXT,
  geocoded_postal_code TEXT,
  geocoded_country TEXT,
  carrier_name TEXT,
  created_at {ts} NOT NULL,
  source_type TEXT NOT NULL,
  source_name TEXT,
  opted_out_at {ts},
  opted_out_source TEXT,
  status TEXT NOT NULL,
  updated_at {ts} NOT NULL
  {company_pk}
);
CREATE UNIQUE INDEX profiles_phone ON profiles (company_id, phone_number);
CREATE INDEX profiles_first_seen ON profiles (company_id, created_at, id);
CREATE INDEX profiles_status ON profiles (company_id, status, created_at, id);

CREATE TABLE profile_tombstones (
  company_id {bigint} NOT NULL,
  phone_hash TEXT NOT NULL,
  opted_out_at {ts},
  opted_out_source TEXT,
  deleted_at {ts} NOT NULL,
  PRIMARY KEY (company_id, phone_hash)
);

CREATE TABLE custom_fields (
  company_id {bigint} NOT NULL,
  id {id},
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  field_type TEXT NOT NULL,
  position INTEGER NOT NULL,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL
  {company_pk}
);
CREATE UNIQUE INDEX custom_fields_name ON custom_fields (company_id, name_key);

CREATE TABLE profile_field_values (
  company_id {bigint} NOT NULL,
  profile_id {bigint} NOT NULL,
  field_id {bigint} NOT NULL,
  value_text TEXT NOT NULL,
  value_number {real},
  PRIMARY KEY (company_id, profile_id, field_id)
);
CREATE INDEX profile_field_values_text ON profile_field_values (company_id, field_id, value_text, profile_id);
CREATE INDEX profile_field_values_number ON profile_field_values (company_id, field_id, value_number, profile_id);

CREATE TABLE jobs (
  company_id {bigint} NOT NULL,
  id {id},
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at {ts} NOT NULL,
  locked_by TEXT,
  locked_until {ts},
  progress {bigint} NOT NULL DEFAULT 0,
  progress_total {bigint},
  result TEXT,
  error TEXT,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  finished_at {ts}
  {company_pk}
);
-- Workers claim across all companies, so this index leads with what they look for.
CREATE INDEX jobs_claim ON jobs (status, run_at);
CREATE INDEX jobs_company ON jobs (company_id, kind, id);
`;
