/**
 * The JSON API's answers the web app reads: as the routes declare them (generated: ./openapi.ts), and by hand for
 * the two routes that declare no answer (the session and the audit log).
 */
import type { Answer } from './openapi';

export type ProfilePage = Answer<'/api/v1/profiles', 'get'>;

export type Profile = Answer<'/api/v1/profiles/{id}', 'get'>;

export type CustomFieldValue = Profile['custom_fields'][string];

export type SubscriptionStatus = 'No Subscriptions' | 'Opted Out' | 'Active Subscriber' | 'Former Subscriber' | 'Synced' | 'Invalid Profile Data';

/** One of a profile's subscriptions (SPEC §3), as the profile JSON lists them. */
export type Subscription = Profile['subscriptions'][number];

export type CustomField = Answer<'/api/v1/custom-fields', 'get'>['data'][number];

export type FieldType = CustomField['field_type'];

export type Role = 'admin' | 'editor' | 'viewer';

export interface Session {
  actor: { type: 'user' | 'api_key' | 'system'; id: number | null; label: string };
  role: Role;
  company: { id: number; name: string };
  csrf_token: string | null;
}

export type CompanySettings = Answer<'/api/v1/company', 'get'>;

export interface AuditRecord {
  id: number;
  created_at: string;
  actor: { type: string; id: number | null; label: string };
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
}
