import { describe, expect, it } from 'vitest';
import type { FieldType } from '../custom-fields/field-types.js';
import { type CustomFieldCondition, parseListQuery, parseSearch, type RawListQuery } from './profile-list-query.js';

const FIELDS = new Map<number, { id: number; name: string; field_type: FieldType }>(
  ([
    [1, 'Age', 'age'],
    [2, 'Birthday', 'date'],
    [3, 'Gender', 'gender'],
    [4, 'Hours', 'number'],
    [5, 'Local', 'text'],
    [6, 'Call time', 'time_of_day'],
    [7, 'Member', 'yes_no'],
  ] as const).map(([id, name, field_type]) => [id, { id, name, field_type }]),
);
const GENDERS = ['Female', 'Male', 'Non-binary', 'Other', 'Prefer not to say'];

function parse(raw: RawListQuery) {
  return parseListQuery(raw, FIELDS, GENDERS);
}
function ok(raw: RawListQuery) {
  const result = parse(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}
function problems(raw: RawListQuery) {
  const result = parse(raw);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(raw)}`);
  return result.problems;
}
const condition = (c: string): CustomFieldCondition => ok({ custom_field: c }).customFields[0]!;

describe('parseSearch', () => {
  it('a blank term is no search', () => {
    expect(parseSearch(undefined)).toBeNull();
    expect(parseSearch('')).toBeNull();
    expect(parseSearch('  \t ')).toBeNull();
  });

  it('a term made of phone characters searches digits', () => {
    expect(parseSearch('(202) 555-01')).toEqual({ kind: 'digits', needle: '20255501' });
    expect(parseSearch('555-0143')).toEqual({ kind: 'digits', needle: '5550143' });
    expect(parseSearch('+1 202')).toEqual({ kind: 'digits', needle: '1202' });
    expect(parseSearch('0143')).toEqual({ kind: 'digits', needle: '0143' });
    expect(parseSearch(' 44 ')).toEqual({ kind: 'digits', needle: '44' });
    expect(parseSearch('202.555')).toEqual({ kind: 'digits', needle: '202555' });
  });

  it('a whole number is searched by its E.164 digits in the company country', () => {
    expect(parseSearch('(202) 555-0143')).toEqual({ kind: 'digits', needle: '12025550143' });
    expect(parseSearch('202-555-0143', 'US')).toEqual({ kind: 'digits', needle: '12025550143' });
    expect(parseSearch('07400 123456', 'GB')).toEqual({ kind: 'digits', needle: '447400123456' });
    expect(parseSearch('+44 7400 123456', 'US')).toEqual({ kind: 'digits', needle: '447400123456' });
    // Not a whole number: the digits as typed.
    expect(parseSearch('07400 123', 'GB')).toEqual({ kind: 'digits', needle: '07400123' });
  });

  it('anything else searches lower-cased text, kept literally', () => {
    expect(parseSearch('Ada')).toEqual({ kind: 'text', needle: 'ada' });
    expect(parseSearch('  GUTIÉRREZ ')).toEqual({ kind: 'text', needle: 'gutiérrez' });
    expect(parseSearch('ada.love@')).toEqual({ kind: 'text', needle: 'ada.love@' });
    expect(parseSearch('100%')).toEqual({ kind: 'text', needle: '100%' });
    expect(parseSearch('a_b\\c"d')).toEqual({ kind: 'text', needle: 'a_b\\c"d' });
    expect(parseSearch('Ada 202')).toEqual({ kind: 'text', needle: 'ada 202' });
    // Phone punctuation without digits is text.
    expect(parseSearch('-')).toEqual({ kind: 'text', needle: '-' });
    expect(parseSearch('()')).toEqual({ kind: 'text', needle: '()' });
  });
});

describe('parseListQuery', () => {
  it('defaults: everyone, newest first, page 1 of 25', () => {
    expect(ok({})).toEqual({ search: null, status: null, firstSeenTypes: [], undeliverableReasons: [], customFields: [], order: 'desc', page: 1, perPage: 25 });
  });

  it('maps each subscription status filter to the stored column that answers it, in any case', () => {
    const expected = {
      all: null,
      active: { column: 'status_filter', value: 'active' },
      former: { column: 'status_filter', value: 'former' },
      none: { column: 'status_filter', value: 'none' },
      opted_out: { column: 'status_filter', value: 'opted_out' },
      // A CRM match; read from the status until CRM matches are stored.
      synced: { column: 'status', value: 'Synced' },
      invalid: { column: 'status_filter', value: 'invalid' },
    };
    for (const [key, condition] of Object.entries(expected)) {
      expect(ok({ subscription_status: key }).status).toEqual(condition);
      expect(ok({ subscription_status: key.toUpperCase() }).status).toEqual(condition);
    }
    expect(problems({ subscription_status: 'foo' })).toEqual([
      { field: 'subscription_status', value: 'foo', message: 'is not accepted (accepted: all, active, former, none, opted_out, synced, invalid)' },
    ]);
    // Object prototype names are not filters.
    expect(problems({ subscription_status: 'constructor' })[0]!.field).toBe('subscription_status');
    expect(problems({ subscription_status: 'toString' })[0]!.field).toBe('subscription_status');
    expect(problems({ subscription_status: '__proto__' })[0]!.field).toBe('subscription_status');
  });

  it('order, page and per_page', () => {
    expect(ok({ order: 'ASC' }).order).toBe('asc');
    expect(ok({ page: 7, per_page: 250 })).toMatchObject({ page: 7, perPage: 250 });
    for (const perPage of [25, 50, 100, 250]) expect(ok({ per_page: perPage }).perPage).toBe(perPage);
    expect(problems({ order: 'up' })[0]).toMatchObject({ field: 'order', message: expect.stringContaining('asc, desc') });
    expect(problems({ per_page: 30 })[0]).toMatchObject({ field: 'per_page', value: 30, message: expect.stringContaining('25, 50, 100, 250') });
    expect(problems({ page: 0 })[0]).toMatchObject({ field: 'page', value: 0 });
    expect(problems({ page: 1.5 })[0]).toMatchObject({ field: 'page' });
  });

  it('first seen types and undeliverable reasons: comma lists, any case, spaces trimmed, repeats once', () => {
    expect(ok({ first_seen_type: 'Donated' }).firstSeenTypes).toEqual(['Donated']);
    expect(ok({ first_seen_type: 'opted in, UPLOADED GROUP ,Opted in' }).firstSeenTypes).toEqual(['Opted in', 'Uploaded group']);
    expect(ok({ first_seen_type: ',,' }).firstSeenTypes).toEqual([]);
    expect(ok({ undeliverable_reason: 'hard bounce,Blacklisted' }).undeliverableReasons).toEqual(['Hard Bounce', 'Blacklisted']);
    const bad = problems({ first_seen_type: 'Donated,Nope,Worse' });
    expect(bad.map((p) => p.value)).toEqual(['Nope', 'Worse']);
    expect(bad[0]!.message).toContain('Donated, Uploaded group, Called mConnect, Used mData, Opted in, Unknown, CRM, API');
    expect(problems({ undeliverable_reason: 'Bored' })[0]).toMatchObject({ field: 'undeliverable_reason', message: expect.stringContaining('Texted a STOP word') });
  });

  it('custom field conditions resolve to the stored column and canonical value of each type', () => {
    expect(condition('5:eq:SEIU 1199')).toEqual({ fieldId: 5, op: 'eq', column: 'value_text', value: 'SEIU 1199' });
    expect(condition('5:contains:a:b')).toEqual({ fieldId: 5, op: 'contains', text: 'a:b' });
    expect(condition('5:empty')).toEqual({ fieldId: 5, op: 'empty' });
    expect(condition('1:lt:40')).toEqual({ fieldId: 1, op: 'lt', column: 'value_number', value: 40 });
    expect(condition('1:between:18,30')).toEqual({ fieldId: 1, op: 'between', column: 'value_number', low: 18, high: 30 });
    expect(condition('4:gt:2.5')).toEqual({ fieldId: 4, op: 'gt', column: 'value_number', value: 2.5 });
    expect(condition('2:eq:12/10/1988')).toEqual({ fieldId: 2, op: 'eq', column: 'value_text', value: '1988-12-10' });
    expect(condition('2:between:1980-01-01,1985-12-31')).toEqual({ fieldId: 2, op: 'between', column: 'value_text', low: '1980-01-01', high: '1985-12-31' });
    expect(condition('6:eq:7pm')).toEqual({ fieldId: 6, op: 'eq', column: 'value_number', value: 19 * 60 });
    expect(condition('6:between:9:00 AM,12pm')).toEqual({ fieldId: 6, op: 'between', column: 'value_number', low: 9 * 60, high: 12 * 60 });
    expect(condition('7:eq:yes')).toEqual({ fieldId: 7, op: 'eq', column: 'value_text', value: 'true' });
    expect(condition('7:eq:false')).toEqual({ fieldId: 7, op: 'eq', column: 'value_text', value: 'false' });
    expect(condition('3:in:f|MALE')).toEqual({ fieldId: 3, op: 'in', texts: ['Female', 'Male'] });
    expect(condition('3:eq:Other')).toEqual({ fieldId: 3, op: 'eq', column: 'value_text', value: 'Other' });
    expect(ok({ custom_field: ['1:gt:30', '3:in:Female'] }).customFields).toHaveLength(2);
    // An empty parameter is no condition.
    expect(ok({ custom_field: '' }).customFields).toEqual([]);
  });

  it('refuses bad conditions, naming the condition and what is accepted', () => {
    const one = (c: string) => {
      const [p, ...rest] = problems({ custom_field: c });
      expect(rest).toEqual([]);
      expect(p).toMatchObject({ field: 'custom_field', value: c });
      return p!.message;
    };
    expect(one('99:eq:1')).toContain('field ids: 1, 2, 3, 4, 5, 6, 7');
    expect(one('1:contains:x')).toContain('accepted: eq, lt, gt, between, empty');
    expect(one('7:lt:1')).toContain('accepted: eq, empty');
    expect(one('5:between:a,b')).toContain('accepted: eq, contains, empty');
    expect(one('3:lt:Female')).toContain('accepted: in, eq, empty');
    expect(one('1:nope:1')).toContain('accepted: eq, lt, gt, between, empty');
    expect(one('2:eq:notadate')).toContain('YYYY-MM-DD');
    expect(one('2:eq:2024-02-30')).toContain('YYYY-MM-DD');
    expect(one('1:eq:200')).toContain('a whole number from 0 to 150');
    expect(one('1:eq:')).toContain('a whole number from 0 to 150');
    expect(one('1:lt')).toContain('a whole number from 0 to 150');
    expect(one('3:in:Female|')).toContain('one of Female, Male');
    expect(one('3:in:Robot')).toContain('one of Female, Male');
    expect(one('6:eq:25:00')).toContain('HH:MM');
    expect(one('7:eq:maybe')).toContain('yes/no');
    expect(one('4:eq:1e3')).toContain('a decimal number');
    expect(one('1:between:30')).toContain('<low>,<high>');
    expect(one('1:between:1,2,3')).toContain('<low>,<high>');
    expect(one('5:contains:')).toContain('needs text');
    expect(one('5:contains:a\0b')).toContain('NUL');
    expect(one('age:eq:3')).toContain('<field id>:<op>[:<value>]');
    expect(one('1:EQ:3')).toContain('<field id>:<op>[:<value>]');
  });

  it('refuses a search containing NUL', () => {
    expect(problems({ search: 'a\0' })).toEqual([{ field: 'search', value: 'a\0', message: expect.stringContaining('NUL') }]);
  });

  it('lists every problem at once', () => {
    const all = problems({ subscription_status: 'x', order: 'x', per_page: 1, page: 0, first_seen_type: 'x', undeliverable_reason: 'x', custom_field: ['99:eq:1', '1:eq:x'] });
    expect(all.map((p) => p.field)).toEqual(['subscription_status', 'order', 'per_page', 'page', 'first_seen_type', 'undeliverable_reason', 'custom_field', 'custom_field']);
  });
});
