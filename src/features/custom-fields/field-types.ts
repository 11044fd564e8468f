export const FIELD_TYPES = ['age', 'date', 'gender', 'number', 'text', 'time_of_day', 'yes_no'] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_TYPE_LABELS: Readonly<Record<FieldType, string>> = {
  age: 'Age',
  date: 'Date',
  gender: 'Gender',
  number: 'Number',
  text: 'Text',
  time_of_day: 'Time of Day',
  yes_no: 'Yes/No',
};

export const DEFAULT_GENDER_OPTIONS: readonly string[] = ['Female', 'Male', 'Non-binary', 'Other', 'Prefer not to say'];

export type CanonicalValue = string | number | boolean | null;

export type ParseFieldValueResult = { ok: true; value: CanonicalValue } | { ok: false; accepted: string };

export interface ParseFieldValueOptions {
  genderOptions?: readonly string[];
}

export interface StoredFieldValue {
  text: string;
  number: number | null;
}

export const MAX_AGE = 150;
export const MAX_TEXT_CODE_POINTS = 2000;

const ACCEPTED: Readonly<Record<Exclude<FieldType, 'gender'>, string>> = {
  age: `a whole number from 0 to ${MAX_AGE}`,
  date: 'a date as YYYY-MM-DD or M/D/YYYY',
  number: 'a decimal number',
  text: `text of at most ${MAX_TEXT_CODE_POINTS.toLocaleString('en-US')} characters`,
  time_of_day: 'a time as HH:MM (24 h), 7pm or 7:30 PM',
  yes_no: 'yes/no, y/n, true/false or 1/0',
};

const WHOLE_NUMBER = /^\d+$/;
// Deliberately no exponent form: a typo like "1e3" in a spreadsheet should not
// silently become 1000.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const TIME_24H = /^(\d{1,2}):(\d{2})$/;
const TIME_12H = /^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m\.?$/i;
const CANONICAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
// Lone surrogates cannot survive UTF-8 encoding and NUL is refused by
// PostgreSQL text columns, so neither could be stored faithfully.
const LONE_SURROGATE = /\p{Cs}/u;

const YES_WORDS = new Set(['yes', 'y', 'true', '1']);
const NO_WORDS = new Set(['no', 'n', 'false', '0']);

/** Narrows a string to one of the known field type ids. */
export function isFieldType(value: string): value is FieldType {
  return (FIELD_TYPES as readonly string[]).includes(value);
}

/** The human phrase describing which inputs a field of this type accepts. */
export function describeAccepted(type: FieldType, options: ParseFieldValueOptions = {}): string {
  if (type !== 'gender') return ACCEPTED[type];
  const genderOptions = options.genderOptions ?? DEFAULT_GENDER_OPTIONS;
  if (genderOptions.length === 0) return 'nothing yet (this field has no options)';
  const letters: string[] = [];
  if (findOption(genderOptions, 'female') !== undefined) letters.push('F');
  if (findOption(genderOptions, 'male') !== undefined) letters.push('M');
  const shortcut = letters.length === 0 ? '' : ` (${letters.join(' and ')} accepted)`;
  return `one of ${genderOptions.join(', ')}${shortcut}`;
}

/** Validates a raw input for a field type and converts it to its canonical value (null clears). */
export function parseFieldValue(
  type: FieldType,
  raw: unknown,
  options: ParseFieldValueOptions = {},
): ParseFieldValueResult {
  if (raw === null) return { ok: true, value: null };
  // Blank cells in an import mean "no value" for structured types; for text an
  // empty string is itself a value and is kept as given.
  if (type !== 'text' && typeof raw === 'string' && raw.trim() === '') return { ok: true, value: null };

  const value = parseNonNull(type, raw, options);
  return value === undefined ? { ok: false, accepted: describeAccepted(type, options) } : { ok: true, value };
}

function parseNonNull(
  type: FieldType,
  raw: unknown,
  options: ParseFieldValueOptions,
): Exclude<CanonicalValue, null> | undefined {
  switch (type) {
    case 'age':
      return parseAge(raw);
    case 'date':
      return typeof raw === 'string' ? parseDate(raw.trim()) : undefined;
    case 'gender':
      return typeof raw === 'string' ? parseGender(raw.trim(), options.genderOptions ?? DEFAULT_GENDER_OPTIONS) : undefined;
    case 'number':
      return parseDecimal(raw);
    case 'text':
      return typeof raw === 'string' ? parseText(raw) : undefined;
    case 'time_of_day':
      return typeof raw === 'string' ? parseTime(raw.trim()) : undefined;
    case 'yes_no':
      return parseYesNo(raw);
  }
}

function parseAge(raw: unknown): number | undefined {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && WHOLE_NUMBER.test(raw.trim())) n = Number(raw.trim());
  else return undefined;
  if (!Number.isInteger(n) || n < 0 || n > MAX_AGE) return undefined;
  return n + 0; // folds -0 into 0 so the canonical value is unique
}

function parseDecimal(raw: unknown): number | undefined {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && DECIMAL.test(raw.trim())) n = Number(raw.trim());
  else return undefined;
  // Long digit strings overflow to Infinity, so this check covers strings too.
  if (!Number.isFinite(n)) return undefined;
  return n + 0;
}

function parseDate(text: string): string | undefined {
  let year: number;
  let month: number;
  let day: number;
  const iso = ISO_DATE.exec(text);
  const us = iso === null ? US_DATE.exec(text) : null;
  if (iso !== null) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (us !== null) {
    [month, day, year] = [Number(us[1]), Number(us[2]), Number(us[3])];
  } else {
    return undefined;
  }
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function normaliseOption(option: string): string {
  return option.trim().toLowerCase();
}

function findOption(genderOptions: readonly string[], wanted: string): string | undefined {
  return genderOptions.find((option) => normaliseOption(option) === wanted);
}

function parseGender(text: string, genderOptions: readonly string[]): string | undefined {
  // Exact spelling first, so an option that differs from another only by case
  // still maps to itself.
  const exact = genderOptions.find((option) => option === text);
  if (exact !== undefined) return exact;
  const wanted = normaliseOption(text);
  const match = findOption(genderOptions, wanted);
  if (match !== undefined) return match;
  if (wanted === 'f') return findOption(genderOptions, 'female');
  if (wanted === 'm') return findOption(genderOptions, 'male');
  return undefined;
}

function parseText(text: string): string | undefined {
  if (text.includes('\0') || LONE_SURROGATE.test(text)) return undefined;
  return countCodePoints(text) <= MAX_TEXT_CODE_POINTS ? text : undefined;
}

function countCodePoints(text: string): number {
  // Each code point is at most two UTF-16 units, so these bounds avoid
  // iterating over very long strings.
  if (text.length <= MAX_TEXT_CODE_POINTS) return text.length;
  if (text.length > MAX_TEXT_CODE_POINTS * 2) return text.length;
  return Array.from(text).length;
}

function parseTime(text: string): string | undefined {
  const h24 = TIME_24H.exec(text);
  if (h24 !== null) {
    const [hours, minutes] = [Number(h24[1]), Number(h24[2])];
    return hours <= 23 && minutes <= 59 ? formatTime(hours, minutes) : undefined;
  }
  const h12 = TIME_12H.exec(text);
  if (h12 !== null) {
    const [hours, minutes] = [Number(h12[1]), Number(h12[2] ?? '0')];
    if (hours < 1 || hours > 12 || minutes > 59) return undefined;
    const pm = h12[3]?.toLowerCase() === 'p';
    return formatTime((hours % 12) + (pm ? 12 : 0), minutes);
  }
  return undefined;
}

function formatTime(hours: number, minutes: number): string {
  return `${pad2(hours)}:${pad2(minutes)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function parseYesNo(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw !== 'string') return undefined;
  const word = raw.trim().toLowerCase();
  if (YES_WORDS.has(word)) return true;
  if (NO_WORDS.has(word)) return false;
  return undefined;
}

/**
 * Writes a number as a plain decimal, never in exponent form, because CSV
 * exports must re-import through parseFieldValue, which refuses exponents.
 */
function plainDecimal(n: number): string {
  const shortest = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (match === null) return shortest;
  const sign = match[1] ?? '';
  const digits = (match[2] ?? '') + (match[3] ?? '');
  const pointAt = 1 + Number(match[4]);
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

function wrongValue(type: FieldType, value: unknown): never {
  throw new TypeError(`${JSON.stringify(value)} is not a canonical ${type} value`);
}

function corruptStored(type: FieldType, text: string): never {
  throw new Error(`stored ${type} value ${JSON.stringify(text)} is corrupt`);
}

/** Splits a canonical value into the text and numeric columns it is stored in. */
export function toStored(type: FieldType, value: Exclude<CanonicalValue, null>): StoredFieldValue {
  switch (type) {
    case 'age':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrongValue(type, value);
      return { text: plainDecimal(value), number: value + 0 };
    case 'date':
    case 'gender':
    case 'text':
      if (typeof value !== 'string') return wrongValue(type, value);
      return { text: value, number: null };
    case 'time_of_day': {
      if (typeof value !== 'string') return wrongValue(type, value);
      const match = CANONICAL_TIME.exec(value);
      if (match === null) return wrongValue(type, value);
      return { text: value, number: Number(match[1]) * 60 + Number(match[2]) };
    }
    case 'yes_no':
      if (typeof value !== 'boolean') return wrongValue(type, value);
      return { text: value ? 'true' : 'false', number: value ? 1 : 0 };
  }
}

/** Rebuilds the canonical value from its stored text column. */
export function fromStored(type: FieldType, text: string): Exclude<CanonicalValue, null> {
  switch (type) {
    case 'age':
    case 'number': {
      const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
      return Number.isFinite(n) ? n + 0 : corruptStored(type, text);
    }
    case 'date':
    case 'gender':
    case 'text':
    case 'time_of_day':
      return text;
    case 'yes_no':
      if (text === 'true') return true;
      if (text === 'false') return false;
      return corruptStored(type, text);
  }
}

/** Renders a canonical value for a CSV cell; the output parses back to the same value. */
export function formatFieldValueForCsv(type: FieldType, value: CanonicalValue): string {
  if (value === null) return '';
  if (type === 'yes_no' && typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return plainDecimal(value);
  return String(value);
}
