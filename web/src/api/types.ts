/** The JSON API's answers the web app reads, as the routes declare them (generated: ./openapi.ts). */
import type { Answer } from './openapi';

export type ProfilePage = Answer<'/api/v1/profiles', 'get'>;

export type Profile = Answer<'/api/v1/profiles/{id}', 'get'>;

export type CustomFieldValue = Profile['custom_fields'][string];

export type SubscriptionStatus = 'No Subscriptions' | 'Opted Out' | 'Active Subscriber' | 'Former Subscriber' | 'Synced' | 'Invalid Profile Data';

/** One of a profile's subscriptions (SPEC §3), as the profile JSON lists them. */
export type Subscription = Profile['subscriptions'][number];

export type CustomField = Answer<'/api/v1/custom-fields', 'get'>['data'][number];

export type FieldType = CustomField['field_type'];

export type Session = Answer<'/api/v1/session', 'get'>;

export type Role = Session['role'];

export type CompanySettings = Answer<'/api/v1/company', 'get'>;

export type AuditRecord = Answer<'/api/v1/audit-log', 'get'>['data'][number];
