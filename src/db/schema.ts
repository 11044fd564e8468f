import type { ColumnType, Generated } from 'kysely';

/**
 * Table types for Kysely. Timestamps are ISO 8601 UTC strings on both engines
 * (PostgreSQL's timestamptz is parsed back to ISO in dialect/postgres.ts), and
 * JSON columns are text so both engines hand back the same shape.
 */
type Timestamp = string;
type Id = Generated<number>;

export interface CompaniesTable {
  id: Id;
  name: string;
  default_country: string;
  gender_options: string; // JSON array
  /** What a HELP text is answered with (migration 005); null: the built-in text. */
  help_text: ColumnType<string | null, string | null | undefined, string | null>;
  /** The one reply to a STOP (migration 005); null: the built-in text; '': none is sent. */
  stop_reply: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  company_id: number;
  id: Id;
  email: string;
  name: string | null;
  password_hash: string;
  role: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  disabled_at: Timestamp | null;
}

export interface SessionsTable {
  company_id: number;
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  company_id: number;
  id: Id;
  name: string;
  prefix: string;
  key_hash: string;
  role: string;
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  company_id: number;
  id: Id;
  actor_type: string;
  actor_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: string; // JSON {field: {before, after}}
  created_at: Timestamp;
}

export interface ProfilesTable {
  company_id: number;
  id: Id;
  phone_number: string | null;
  raw_phone: string | null;
  phone_digits: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  street1: string | null;
  street2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  congressional_district: string | null;
  state_upper_district: string | null;
  state_lower_district: string | null;
  split_district: number | null;
  latitude: number | null;
  longitude: number | null;
  precision: string | null;
  geocoded_city: string | null;
  geocoded_state: string | null;
  geocoded_postal_code: string | null;
  geocoded_country: string | null;
  carrier_name: string | null;
  created_at: Timestamp;
  source_type: string;
  source_name: string | null;
  opted_out_at: Timestamp | null;
  opted_out_source: string | null;
  status: string;
  /** The Subscription status filter (SPEC §3) the profile falls under: active, former, none, opted_out, invalid (migration 003). */
  status_filter: Generated<string>;
  updated_at: Timestamp;
}

export interface ProfileTombstonesTable {
  company_id: number;
  phone_hash: string;
  opted_out_at: Timestamp | null;
  opted_out_source: string | null;
  deleted_at: Timestamp;
}

export interface CustomFieldsTable {
  company_id: number;
  id: Id;
  name: string;
  name_key: string;
  field_type: string;
  position: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProfileFieldValuesTable {
  company_id: number;
  profile_id: number;
  field_id: number;
  value_text: string;
  value_number: number | null;
}

export interface JobsTable {
  company_id: number;
  id: Id;
  kind: string;
  payload: string; // JSON
  status: string; // queued | running | succeeded | failed
  attempts: number;
  max_attempts: number;
  run_at: Timestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  progress: number;
  progress_total: number | null;
  result: string | null; // JSON
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

/** Profiles per (company, status, status filter, first seen type, opt-out source); kept by triggers (migrations 002, 003). */
export interface ProfileCountsTable {
  company_id: number;
  status: string;
  status_filter: string;
  source_type: string;
  opted_out_source: string;
  n: number;
}

export interface CampaignsTable {
  company_id: number;
  id: Id;
  name: string;
  description: string | null;
  status: string; // active | ended
  created_at: Timestamp;
  updated_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface OptInPathsTable {
  company_id: number;
  id: Id;
  campaign_id: number;
  name: string;
  double_opt_in: number; // 0 | 1
  welcome_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OptInKeywordsTable {
  company_id: number;
  keyword_key: string;
  keyword: string;
  opt_in_path_id: number;
}

export interface SubscriptionsTable {
  company_id: number;
  id: Id;
  profile_id: number;
  campaign_id: number;
  opt_in_path_id: number | null;
  status: string; // pending | active | opted_out | removed
  activated_at: Timestamp | null;
  opted_out_at: Timestamp | null;
  opt_out_source: string | null;
  opted_out_with_profile: Generated<number>; // 0 | 1
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlacklistedNumbersTable {
  company_id: number;
  id: Id;
  phone_number: string;
  note: string | null;
  created_by: string;
  created_at: Timestamp;
}

/** A profile export (SPEC §6), migration 004. `parameters` is the list query as JSON. */
export interface ExportsTable {
  company_id: number;
  id: Id;
  name: string;
  created_by_type: string;
  created_by_id: number | null;
  created_by_label: string;
  parameters: string; // JSON
  status: string; // queued | running | done | failed | expired
  progress: Generated<number>;
  progress_total: number | null;
  row_count: number | null;
  file_name: string;
  file_bytes: number | null;
  error: string | null;
  job_id: number | null;
  /** The attempt writing the file now; its updates are fenced on it. */
  run_token: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  expires_at: Timestamp | null;
}

/** One inbound or outbound text (SPEC §4), migration 005. */
export interface MessagesTable {
  company_id: number;
  id: Id;
  profile_id: number;
  direction: string; // inbound | outbound
  body: string;
  status: string; // received | queued | sending | sent | delivered | undelivered | failed
  gateway: string;
  gateway_message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: Generated<number>;
  carrier_name: string | null;
  possible_opt_out: Generated<number>; // 0 | 1
  intent: string | null; // stop | start | help | keyword | other
  campaign_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** While `sending`: until when the handoff may still call the gateway (migration 009). */
  lease_until: Generated<Timestamp | null>;
}

/** One day of a gateway's deactivation feed, claimed and then applied (migration 012). */
export interface DeactivationDaysTable {
  gateway: string;
  day: string; // YYYY-MM-DD, UTC
  status: string; // running | done
  numbers: Generated<number>;
  profiles_opted_out: Generated<number>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

/** The Inbox: one row per profile with messages (migration 005). */
export interface ConversationsTable {
  company_id: number;
  profile_id: number;
  last_message_id: number;
  possible_opt_outs: Generated<number>;
  updated_at: Timestamp;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: ColumnType<string, string, never>;
}

/** A group (SPEC §7), migration 006: uploaded (members in group_members) or filtered (`filter`: list parameters as JSON). */
export interface GroupsTable {
  company_id: number;
  id: Id;
  name: string;
  /** The name as compared for uniqueness: lower case, spaces collapsed. */
  name_key: string;
  kind: string; // uploaded | filtered
  filter: string | null; // JSON
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupMembersTable {
  company_id: number;
  group_id: number;
  profile_id: number;
  added_at: Timestamp;
}

/** One CSV upload (SPEC §7), migration 006. */
export interface UploadsTable {
  company_id: number;
  id: Id;
  /** The name the file had on the person's computer (shown only). */
  file_name: string;
  /** The random token naming the stored file under the data directory. */
  stored_name: string;
  group_id: number | null;
  group_name: string;
  status: string; // queued | running | done | failed
  phase: Generated<string>; // staging | merging | finished
  error: string | null;
  mapping: string | null; // JSON {header: field key | null}
  encoding: string | null;
  delimiter: string | null;
  bytes_total: Generated<number>;
  bytes_done: Generated<number>;
  rows_total: number | null;
  rows_done: Generated<number>;
  merged_through: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  unchanged_count: Generated<number>;
  rejected_count: Generated<number>;
  duplicate_count: Generated<number>;
  created_by_type: string;
  created_by_id: number | null;
  created_by_label: string;
  job_id: number | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

/** A valid row of a running upload, waiting to be merged into profiles. */
export interface UploadRowsTable {
  company_id: number;
  upload_id: number;
  row_number: number;
  phone_number: string;
  input: string; // JSON ProfileInput
}

/** One reason a row of an upload was rejected (the rejected-rows report). */
export interface UploadRejectionsTable {
  company_id: number;
  upload_id: number;
  row_number: number;
  position: number;
  column_name: string;
  value: string;
  reason: string;
}

export interface DB {
  companies: CompaniesTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  profiles: ProfilesTable;
  profile_tombstones: ProfileTombstonesTable;
  custom_fields: CustomFieldsTable;
  profile_field_values: ProfileFieldValuesTable;
  jobs: JobsTable;
  profile_counts: ProfileCountsTable;
  campaigns: CampaignsTable;
  opt_in_paths: OptInPathsTable;
  opt_in_keywords: OptInKeywordsTable;
  subscriptions: SubscriptionsTable;
  blacklisted_numbers: BlacklistedNumbersTable;
  exports: ExportsTable;
  messages: MessagesTable;
  conversations: ConversationsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  uploads: UploadsTable;
  upload_rows: UploadRowsTable;
  upload_rejections: UploadRejectionsTable;
  schema_migrations: SchemaMigrationsTable;
  deactivation_days: DeactivationDaysTable;
}
