import type { FieldProblem } from '../../errors.js';
import { describeAccepted, type FieldType, parseFieldValue, toStored } from '../custom-fields/field-types.js';
import { OPT_OUT_REASONS, type OptOutReason, SOURCE_TYPES, type SourceType, type StoredStatusFilter, type SubscriptionStatus } from './profile-rules.js';
import { type CountryCode, normalisePhone, phoneDigits, searchDigits } from './phone.js';

/**
 * The Subscription status filter of SPEC §3/§5 and the stored column each one reads: the filter a profile falls
 * under is kept in profiles.status_filter (it counts active campaigns only, so it differs from the status once a
 * campaign ends); Synced, a CRM match, is read from the status until CRM matches are stored.
 */
export const STATUS_FILTERS = {
  all: null,
  active: { column: 'status_filter', value: 'active' },
  former: { column: 'status_filter', value: 'former' },
  none: { column: 'status_filter', value: 'none' },
  opted_out: { column: 'status_filter', value: 'opted_out' },
  synced: { column: 'status', value: 'Synced' },
  invalid: { column: 'status_filter', value: 'invalid' },
} as const satisfies Record<string, { column: 'status_filter'; value: StoredStatusFilter } | { column: 'status'; value: SubscriptionStatus } | null>;
export type StatusFilter = keyof typeof STATUS_FILTERS;
export type StatusFilterCondition = NonNullable<(typeof STATUS_FILTERS)[StatusFilter]>;

export const PER_PAGE_CHOICES = [25, 50, 100, 250] as const;
export const CUSTOM_FIELD_OPERATORS = ['eq', 'contains', 'empty', 'lt', 'gt', 'between', 'in'] as const;
export type CustomFieldOperator = (typeof CUSTOM_FIELD_OPERATORS)[number];

const OPERATORS_BY_TYPE: Record<FieldType, readonly CustomFieldOperator[]> = {
  text: ['eq', 'contains', 'empty'],
  number: ['eq', 'lt', 'gt', 'between', 'empty'],
  age: ['eq', 'lt', 'gt', 'between', 'empty'],
  date: ['eq', 'lt', 'gt', 'between', 'empty'],
  time_of_day: ['eq', 'lt', 'gt', 'between', 'empty'],
  yes_no: ['eq', 'empty'],
  gender: ['in', 'eq', 'empty'],
};

/** A custom-field condition, resolved to what the stored columns hold (value_text, or value_number for ranges). */
export type CustomFieldCondition =
  | { fieldId: number; op: 'empty' }
  | { fieldId: number; op: 'contains'; text: string }
  | { fieldId: number; op: 'in'; texts: string[] }
  | { fieldId: number; op: 'lt' | 'gt' | 'eq'; column: 'value_text' | 'value_number'; value: string | number }
  | { fieldId: number; op: 'between'; column: 'value_text' | 'value_number'; low: string | number; high: string | number };

/** A search term, resolved to what to match: phone digits or lower-cased text. */
export type SearchTerm = { kind: 'digits'; needle: string } | { kind: 'text'; needle: string };

export interface ProfileListQuery {
  search: SearchTerm | null;
  status: StatusFilterCondition | null;
  firstSeenTypes: SourceType[];
  undeliverableReasons: OptOutReason[];
  customFields: CustomFieldCondition[];
  order: 'asc' | 'desc';
  page: number;
  perPage: number;
  /** Only the members of this uploaded group (resolved by the groups feature from `group_id`). */
  groupId?: number;
  /** Only profiles this query matches as well: a filtered group's saved filter (resolved by the groups feature). */
  alsoMatching?: ProfileListQuery;
}

export interface RawListQuery {
  search?: string;
  subscription_status?: string;
  first_seen_type?: string;
  undeliverable_reason?: string;
  custom_field?: string | string[];
  order?: string;
  page?: number;
  per_page?: number;
  /** A group to scope the list to; resolved into groupId / alsoMatching by the groups feature, not here. */
  group_id?: number;
}

interface FieldForFilter {
  id: number;
  name: string;
  field_type: FieldType;
}

const PHONE_LIKE = /^[\d\s()+.\-/]+$/;

/**
 * Search: a term that looks like (part of) a phone number matches digits; anything else matches name and email text.
 * A whole number is matched by its E.164 digits (what is stored), so a national form with a trunk prefix that E.164
 * drops (GB "07400 123456" is +447400123456) finds its profile; a partial number matches the digits as typed.
 */
export function parseSearch(raw: string | undefined, defaultCountry: CountryCode = 'US'): SearchTerm | null {
  const term = (raw ?? '').trim();
  if (!term) return null;
  const digits = searchDigits(term);
  if (PHONE_LIKE.test(term) && digits.length > 0) {
    const whole = normalisePhone(term, defaultCountry);
    return { kind: 'digits', needle: whole.ok ? phoneDigits(whole.e164) : digits };
  }
  return { kind: 'text', needle: term.toLowerCase() };
}

// No stored text can hold NUL (inputs refuse it; PostgreSQL text cannot), and a NUL in a pattern makes SQLite's
// LIKE match everything (it stops reading there) or FTS5 fail, and PostgreSQL reject the query: a 500.
const NUL = '\0';

function commaList<T extends string>(raw: string | undefined, allowed: readonly T[], field: string, problems: FieldProblem[]): T[] {
  if (!raw) return [];
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  const byLower = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const out: T[] = [];
  for (const value of values) {
    const match = byLower.get(value.toLowerCase());
    if (match) out.push(match);
    else problems.push({ field, value, message: `is not accepted (accepted: ${allowed.join(', ')}; several separated by commas)` });
  }
  return [...new Set(out)];
}

/** Turns `<field id>:<op>[:<value>]` into a condition on stored values, checking the value against the field's type. */
function parseCustomFieldCondition(raw: string, fields: ReadonlyMap<number, FieldForFilter>, genderOptions: readonly string[], problems: FieldProblem[]): CustomFieldCondition | null {
  const field = 'custom_field';
  const match = /^(\d+):([a-z]+)(?::(.*))?$/s.exec(raw);
  if (!match) {
    problems.push({ field, value: raw, message: 'is not a condition (accepted: <field id>:<op>[:<value>], e.g. 3:eq:Blue, 4:between:18,30, 5:empty)' });
    return null;
  }
  const definition = fields.get(Number(match[1]));
  if (!definition) {
    problems.push({ field, value: raw, message: `names no custom field of this company (field ids: ${[...fields.keys()].join(', ') || 'none'})` });
    return null;
  }
  const op = match[2] as CustomFieldOperator;
  const allowed = OPERATORS_BY_TYPE[definition.field_type];
  if (!allowed.includes(op)) {
    problems.push({ field, value: raw, message: `uses an operator a ${definition.field_type} field does not have (accepted: ${allowed.join(', ')})` });
    return null;
  }
  const value = match[3] ?? '';
  const fieldId = definition.id;
  if (op === 'empty') return { fieldId, op };
  if (op === 'contains') {
    if (value.includes(NUL)) return (problems.push({ field, value: raw, message: 'contains a NUL character (accepted: printable text to look for)' }), null);
    return value ? { fieldId, op, text: value } : (problems.push({ field, value: raw, message: 'needs text to look for after contains:' }), null);
  }
  const canonical = (text: string): string | number | null => {
    const parsed = parseFieldValue(definition.field_type, text, { genderOptions });
    if (!parsed.ok || parsed.value === null) {
      // An empty value parses as "no value"; say what a value must look like rather than just "a value".
      problems.push({ field, value: raw, message: `has a value that is not accepted for ${definition.name} (accepted: ${parsed.ok ? describeAccepted(definition.field_type, { genderOptions }) : parsed.accepted})` });
      return null;
    }
    const stored = toStored(definition.field_type, parsed.value);
    return RANGE_BY_NUMBER.has(definition.field_type) ? stored.number : stored.text;
  };
  const column = RANGE_BY_NUMBER.has(definition.field_type) ? 'value_number' : 'value_text';
  if (op === 'in') {
    const texts = value.split('|').map((v) => canonical(v));
    return texts.every((t) => t !== null) ? { fieldId, op, texts: texts as string[] } : null;
  }
  if (op === 'between') {
    const [a, b, ...rest] = value.split(',');
    if (a === undefined || b === undefined || rest.length) {
      problems.push({ field, value: raw, message: 'needs two values for between (accepted: <low>,<high>)' });
      return null;
    }
    const low = canonical(a);
    const high = canonical(b);
    return low === null || high === null ? null : { fieldId, op, column, low, high };
  }
  const single = canonical(value);
  return single === null ? null : { fieldId, op: op as 'lt' | 'gt' | 'eq', column, value: single };
}

// Ages, numbers and times compare as numbers; dates compare correctly as YYYY-MM-DD text.
const RANGE_BY_NUMBER = new Set<FieldType>(['age', 'number', 'time_of_day']);

/** Validates the list's query parameters; every problem names the parameter, the value and what is accepted. */
export function parseListQuery(
  raw: RawListQuery,
  fields: ReadonlyMap<number, FieldForFilter>,
  genderOptions: readonly string[],
  defaultCountry: CountryCode = 'US',
): { ok: true; value: ProfileListQuery } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (raw.search?.includes(NUL)) problems.push({ field: 'search', value: raw.search, message: 'contains a NUL character (accepted: printable text, or part of a phone number)' });
  const statusKey = (raw.subscription_status ?? 'all').toLowerCase();
  // Own keys only: `in` would also take "constructor" or "toString" and filter on a function (a 500).
  if (!Object.hasOwn(STATUS_FILTERS, statusKey)) problems.push({ field: 'subscription_status', value: raw.subscription_status, message: `is not accepted (accepted: ${Object.keys(STATUS_FILTERS).join(', ')})` });
  const order = (raw.order ?? 'desc').toLowerCase();
  if (order !== 'asc' && order !== 'desc') problems.push({ field: 'order', value: raw.order, message: 'is not accepted (accepted: asc, desc)' });
  const perPage = raw.per_page ?? 25;
  if (!(PER_PAGE_CHOICES as readonly number[]).includes(perPage)) problems.push({ field: 'per_page', value: raw.per_page, message: `is not accepted (accepted: ${PER_PAGE_CHOICES.join(', ')})` });
  const page = raw.page ?? 1;
  if (!Number.isSafeInteger(page) || page < 1) problems.push({ field: 'page', value: raw.page, message: 'is not accepted (accepted: a whole number from 1)' });
  const firstSeenTypes = commaList(raw.first_seen_type, SOURCE_TYPES, 'first_seen_type', problems);
  const undeliverableReasons = commaList(raw.undeliverable_reason, OPT_OUT_REASONS, 'undeliverable_reason', problems);
  const conditions = (Array.isArray(raw.custom_field) ? raw.custom_field : raw.custom_field ? [raw.custom_field] : [])
    .map((c) => parseCustomFieldCondition(c, fields, genderOptions, problems))
    .filter((c): c is CustomFieldCondition => c !== null);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      search: parseSearch(raw.search, defaultCountry),
      status: STATUS_FILTERS[statusKey as StatusFilter],
      firstSeenTypes,
      undeliverableReasons,
      customFields: conditions,
      order: order as 'asc' | 'desc',
      page,
      perPage,
    },
  };
}
