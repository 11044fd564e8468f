import { OPT_OUT_REASONS, SOURCE_TYPES } from '../../../src/features/profiles/profile-rules';
import type { CustomField, FieldType } from '../api/types';

/**
 * The Profiles table's state — search, filters, sort and page — lives in the URL so that reload,
 * back/forward and shared links show the same rows. The URL's keys are the list API's own
 * parameter names, so the page's query string is the API request.
 */

export const SUBSCRIPTION_FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active subscribers' },
  { value: 'former', label: 'Former subscribers' },
  { value: 'none', label: 'No subscriptions' },
  { value: 'opted_out', label: 'Opted out' },
  { value: 'synced', label: 'Synced' },
  { value: 'invalid', label: 'Invalid profile data' },
] as const;
export type SubscriptionFilter = (typeof SUBSCRIPTION_FILTERS)[number]['value'];

// One list of first-seen types and opt-out reasons for the server and the app.

export const FIRST_SEEN_TYPES = SOURCE_TYPES;
export const UNDELIVERABLE_REASONS = OPT_OUT_REASONS;
export const PAGE_SIZES = [25, 50, 100, 250] as const;
export const DEFAULT_PAGE_SIZE = 25;

export type SortOrder = 'asc' | 'desc';

export type ConditionOp = 'eq' | 'contains' | 'empty' | 'lt' | 'gt' | 'between' | 'in';

/**
 * One custom-field condition as the API takes it: `value` is `a,b` for between, options joined
 * with `|` for in, `true`/`false` for yes/no, and empty for `empty`.
 */
export interface FieldCondition {
  fieldId: number;
  op: ConditionOp;
  value: string;
}

export interface ProfileFilters {
  subscriptionStatus: SubscriptionFilter;
  firstSeenTypes: string[];
  undeliverableReasons: string[];
  conditions: FieldCondition[];
}

export interface ProfileListState extends ProfileFilters {
  search: string;
  /** The group whose members the table is scoped to (a group's page, or `group_id` in the URL); null for every profile. */
  groupId: number | null;
  order: SortOrder;
  page: number;
  perPage: number;
}

export const NO_FILTERS: ProfileFilters = { subscriptionStatus: 'all', firstSeenTypes: [], undeliverableReasons: [], conditions: [] };

const CONDITION_OPS: readonly ConditionOp[] = ['eq', 'contains', 'empty', 'lt', 'gt', 'between', 'in'];

/** Which conditions each custom field type offers, in the order the filters pane lists them. */
export const OPS_BY_TYPE: Readonly<Record<FieldType, readonly ConditionOp[]>> = {
  text: ['eq', 'contains', 'empty'],
  number: ['eq', 'lt', 'gt', 'between', 'empty'],
  age: ['eq', 'lt', 'gt', 'between', 'empty'],
  date: ['eq', 'lt', 'gt', 'between', 'empty'],
  time_of_day: ['eq', 'lt', 'gt', 'between', 'empty'],
  yes_no: ['eq', 'empty'],
  gender: ['in', 'empty'],
};

// Dates and times read better as before/after than as less/greater than.
const CHRONOLOGICAL: ReadonlySet<FieldType> = new Set(['date', 'time_of_day']);

/** The words a person sees for a condition of a field type. */
export function opLabel(op: ConditionOp, type: FieldType): string {
  const chronological = CHRONOLOGICAL.has(type);
  switch (op) {
    case 'eq': return type === 'text' ? 'equals' : chronological ? 'is' : type === 'yes_no' ? 'is' : '=';
    case 'contains': return 'contains';
    case 'empty': return 'is empty';
    case 'lt': return chronological ? 'before' : 'less than';
    case 'gt': return chronological ? 'after' : 'greater than';
    case 'between': return 'between';
    case 'in': return 'is any of';
  }
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function commaList(value: string | null, allowed: readonly string[]): string[] {
  if (!value) return [];
  return value.split(',').filter((item) => allowed.includes(item));
}

function wholeNumber(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number(value);
  return Number.isSafeInteger(n) && n >= 1 ? n : fallback;
}

/** `<field_id>:<op>[:<value>]`; the value may itself hold colons (times). */
export function parseCondition(text: string): FieldCondition | null {
  const match = /^(\d+):([a-z]+)(?::(.*))?$/s.exec(text);
  if (!match) return null;
  const op = match[2] as ConditionOp;
  if (!CONDITION_OPS.includes(op)) return null;
  return { fieldId: Number(match[1]), op, value: match[3] ?? '' };
}

export function formatCondition(condition: FieldCondition): string {
  return condition.op === 'empty' ? `${condition.fieldId}:empty` : `${condition.fieldId}:${condition.op}:${condition.value}`;
}

/** Reads the table's state from the URL, ignoring anything malformed (a hand-edited link still shows a table). */
export function parseListState(params: URLSearchParams): ProfileListState {
  const perPage = Number(params.get('per_page'));
  return {
    search: params.get('search')?.trim() ?? '',
    groupId: params.has('group_id') ? wholeNumber(params.get('group_id'), 0) || null : null,
    subscriptionStatus: oneOf(params.get('subscription_status'), SUBSCRIPTION_FILTERS.map((f) => f.value), 'all'),
    firstSeenTypes: commaList(params.get('first_seen_type'), FIRST_SEEN_TYPES),
    undeliverableReasons: commaList(params.get('undeliverable_reason'), UNDELIVERABLE_REASONS),
    conditions: params.getAll('custom_field').map(parseCondition).filter((c): c is FieldCondition => c !== null),
    order: oneOf(params.get('order'), ['asc', 'desc'] as const, 'desc'),
    page: wholeNumber(params.get('page'), 1),
    perPage: (PAGE_SIZES as readonly number[]).includes(perPage) ? perPage : DEFAULT_PAGE_SIZE,
  };
}

/** The URL (and API) parameters for a state; defaults are left out so plain links stay plain. */
export function listStateToParams(state: ProfileListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.groupId !== null) params.set('group_id', String(state.groupId));
  if (state.search) params.set('search', state.search);
  if (state.subscriptionStatus !== 'all') params.set('subscription_status', state.subscriptionStatus);
  if (state.firstSeenTypes.length) params.set('first_seen_type', state.firstSeenTypes.join(','));
  if (state.undeliverableReasons.length) params.set('undeliverable_reason', state.undeliverableReasons.join(','));
  for (const condition of state.conditions) params.append('custom_field', formatCondition(condition));
  if (state.order !== 'desc') params.set('order', state.order);
  if (state.page !== 1) params.set('page', String(state.page));
  if (state.perPage !== DEFAULT_PAGE_SIZE) params.set('per_page', String(state.perPage));
  return params;
}

/** One line per filter that is on, in the words of the filters pane (for the indicator's hover list). */
export function describeFilters(filters: ProfileFilters, fields: readonly CustomField[]): string[] {
  const lines: string[] = [];
  if (filters.subscriptionStatus !== 'all') {
    lines.push(`Subscription status: ${SUBSCRIPTION_FILTERS.find((f) => f.value === filters.subscriptionStatus)?.label ?? filters.subscriptionStatus}`);
  }
  if (filters.firstSeenTypes.length) lines.push(`First seen type: ${filters.firstSeenTypes.join(', ')}`);
  if (filters.undeliverableReasons.length) lines.push(`Undeliverable reason: ${filters.undeliverableReasons.join(', ')}`);
  for (const condition of filters.conditions) lines.push(describeCondition(condition, fields));
  return lines;
}

export function describeCondition(condition: FieldCondition, fields: readonly CustomField[]): string {
  const field = fields.find((f) => f.id === condition.fieldId);
  const name = field?.name ?? `Custom field #${condition.fieldId}`;
  const type: FieldType = field?.field_type ?? 'text';
  const label = opLabel(condition.op, type);
  switch (condition.op) {
    case 'empty': return `${name} ${label}`;
    case 'between': {
      const [low = '', high = ''] = condition.value.split(',');
      return `${name} between ${low} and ${high}`;
    }
    case 'in': return `${name} ${label} ${condition.value.split('|').join(', ')}`;
    case 'eq':
      if (type === 'yes_no') return `${name} is ${condition.value === 'true' ? 'yes' : 'no'}`;
      if (type === 'text') return `${name} equals "${condition.value}"`;
      return `${name} ${label} ${condition.value}`;
    case 'contains': return `${name} contains "${condition.value}"`;
    default: return `${name} ${label} ${condition.value}`;
  }
}

/** Whether a condition is complete enough to send. */
export function conditionProblem(condition: FieldCondition): string | null {
  if (condition.op === 'empty') return null;
  if (condition.op === 'between') {
    const [low = '', high = ''] = condition.value.split(',');
    return low.trim() && high.trim() ? null : 'Enter both ends of the range';
  }
  if (condition.op === 'in') return condition.value ? null : 'Choose at least one option';
  return condition.value.trim() ? null : 'Enter a value';
}
