/** Shapes of the JSON API's answers that the web app reads (see src/features/*\/*.routes.ts). */

export type CustomFieldValue = string | number | boolean | null;

export type SubscriptionStatus = 'No Subscriptions' | 'Opted Out' | 'Active Subscriber' | 'Former Subscriber' | 'Synced' | 'Invalid Profile Data';

/** One of a profile's subscriptions (SPEC §3), as the profile JSON lists them. */
export interface Subscription {
  id: number;
  profile_id: number;
  campaign_id: number;
  campaign_name: string;
  campaign_status: 'active' | 'ended';
  status: 'pending' | 'active' | 'opted_out' | 'removed';
  opt_in_path_id: number | null;
  opt_in_path_name: string | null;
  activated_at: string | null;
  opted_out_at: string | null;
  opt_out_source: string | null;
  created_at: string;
  updated_at: string;
}

export interface Profile {
  id: number;
  phone_number: string | null;
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
  split_district: boolean | null;
  latitude: number | null;
  longitude: number | null;
  precision: string | null;
  geocoded_city: string | null;
  geocoded_state: string | null;
  geocoded_postal_code: string | null;
  geocoded_country: string | null;
  carrier_name: string | null;
  created_at: string;
  source_type: string;
  source_name: string | null;
  opted_out_at: string | null;
  opted_out_source: string | null;
  updated_at: string;
  status: SubscriptionStatus | string;
  description: string | null;
  custom_fields: Record<string, CustomFieldValue>;
  subscriptions: Subscription[];
}

export interface ProfilePage {
  data: Profile[];
  page: number;
  per_page: number;
  total: number;
  /** Pass with page + 1 (or page - 1) to seek to the page beside this one. */
  next_cursor: string | null;
  prev_cursor: string | null;
}

export type FieldType = 'age' | 'date' | 'gender' | 'number' | 'text' | 'time_of_day' | 'yes_no';

export interface CustomField {
  id: number;
  name: string;
  field_type: FieldType;
  position: number;
}

export type Role = 'admin' | 'editor' | 'viewer';

export interface Session {
  actor: { type: 'user' | 'api_key' | 'system'; id: number | null; label: string };
  role: Role;
  company: { id: number; name: string };
  csrf_token: string | null;
}

export interface CompanySettings {
  id: number;
  name: string;
  default_country: string;
  gender_options: string[];
}

export interface AuditRecord {
  id: number;
  created_at: string;
  actor: { type: string; id: number | null; label: string };
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
}
