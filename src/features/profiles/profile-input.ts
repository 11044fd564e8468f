import type { FieldProblem } from '../../errors.js';
import { type CanonicalValue, FIELD_TYPE_LABELS, parseFieldValue, type FieldType } from '../custom-fields/field-types.js';
import { type CountryCode, normalisePhone } from './phone.js';

/** Standard fields a person or client may write, with their longest accepted value. */
export const WRITABLE_FIELD_LIMITS = {
  email: 320,
  first_name: 200,
  last_name: 200,
  street1: 500,
  street2: 500,
  city: 200,
  state: 100,
  postal_code: 20,
  country: 100,
} as const;
export type WritableField = keyof typeof WRITABLE_FIELD_LIMITS;
export const WRITABLE_FIELDS = Object.keys(WRITABLE_FIELD_LIMITS) as WritableField[];

/** Fields Roster sets itself (first seen, opt-out, geocoding, status); writing them is refused with a clear reason. */
export const READ_ONLY_FIELDS = [
  'id', 'created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source', 'updated_at', 'status', 'description',
  'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district', 'latitude', 'longitude', 'precision',
  'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country', 'carrier_name',
] as const;

/** A profile as a client sends it: standard fields by their §2 names plus custom fields by name. */
export interface ProfileInput {
  phone_number?: string;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  street1?: string | null;
  street2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
  custom_fields?: Record<string, unknown>;
}

export interface FieldDefinition {
  id: number;
  name: string;
  field_type: FieldType;
}

/** What validation needs to know about the company. */
export interface InputContext {
  defaultCountry: CountryCode;
  fieldsByKey: ReadonlyMap<string, FieldDefinition>;
  genderOptions: readonly string[];
  fieldKey: (name: string) => string;
}

export interface ValidProfileInput {
  phone?: string;
  standard: Partial<Record<WritableField, string | null>>;
  custom: Map<number, { field: FieldDefinition; value: CanonicalValue }>;
}

// Pragmatic address check: one @, no spaces, a dot in the domain. Full RFC 5322 accepts things no mail system delivers.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
// Characters that break storage (NUL in PostgreSQL text) or display; tabs and newlines are allowed in addresses.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// Half of a UTF-16 surrogate pair cannot be encoded as UTF-8, so the database would store U+FFFD instead.
const LONE_SURROGATE = /\p{Cs}/u;

/** Validates and canonicalises a profile input; every problem names the field, the value and what is accepted. */
export function validateProfileInput(
  input: ProfileInput,
  context: InputContext,
  options: { requirePhone: boolean },
): { ok: true; value: ValidProfileInput } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const result: ValidProfileInput = { standard: {}, custom: new Map() };

  if (input.phone_number === undefined || input.phone_number === null) {
    if (options.requirePhone) problems.push({ field: 'phone_number', message: 'is required (a mobile number in any written form, e.g. (202) 555-0143 or +12025550143)' });
  } else if (typeof input.phone_number !== 'string') {
    problems.push({ field: 'phone_number', value: input.phone_number, message: 'must be a string' });
  } else {
    const phone = normalisePhone(input.phone_number, context.defaultCountry);
    if (phone.ok) result.phone = phone.e164;
    else problems.push({ field: 'phone_number', value: input.phone_number, message: `${phone.reason} (accepted: a mobile number such as (202) 555-0143 or +44 7911 123456)` });
  }

  for (const field of WRITABLE_FIELDS) {
    const raw = input[field];
    if (raw === undefined) continue;
    if (raw !== null && typeof raw !== 'string') {
      problems.push({ field, value: raw, message: 'must be a string or null' });
      continue;
    }
    const text = raw === null ? '' : raw.trim();
    if (text === '') {
      result.standard[field] = null;
      continue;
    }
    const limit = WRITABLE_FIELD_LIMITS[field];
    if ([...text].length > limit) problems.push({ field, value: raw, message: `is too long (accepted: at most ${limit.toLocaleString('en-US')} characters)` });
    else if (FORBIDDEN_CONTROL.test(text)) problems.push({ field, value: raw, message: 'contains control characters (accepted: printable text)' });
    else if (LONE_SURROGATE.test(text)) problems.push({ field, value: raw, message: 'contains half of a UTF-16 surrogate pair (accepted: well-formed Unicode text)' });
    else if (field === 'email' && !EMAIL.test(text)) problems.push({ field, value: raw, message: 'is not an email address (accepted: name@example.org)' });
    else result.standard[field] = field === 'email' ? text.toLowerCase() : text;
  }

  if (input.custom_fields !== undefined) {
    if (typeof input.custom_fields !== 'object' || input.custom_fields === null || Array.isArray(input.custom_fields)) {
      problems.push({ field: 'custom_fields', value: input.custom_fields, message: 'must be an object of {field name: value}' });
    } else {
      const givenAs = new Map<number, string>();
      for (const [name, raw] of Object.entries(input.custom_fields)) {
        const definition = context.fieldsByKey.get(context.fieldKey(name));
        if (!definition) {
          const known = [...context.fieldsByKey.values()].map((f) => f.name);
          problems.push({ field: `custom_fields.${name}`, message: `is not a custom field of this company (defined: ${known.length ? known.join(', ') : 'none'})` });
          continue;
        }
        // Names match case-insensitively, so two spellings of one field would silently let the later one win.
        const earlier = givenAs.get(definition.id);
        if (earlier !== undefined) {
          problems.push({ field: `custom_fields.${name}`, message: `is the same field as custom_fields.${earlier} (${definition.name}); give it once` });
          continue;
        }
        givenAs.set(definition.id, name);
        const parsed = parseFieldValue(definition.field_type, raw, { genderOptions: context.genderOptions });
        if (parsed.ok) result.custom.set(definition.id, { field: definition, value: parsed.value });
        else problems.push({ field: `custom_fields.${definition.name}`, value: raw, message: `is not accepted for the ${FIELD_TYPE_LABELS[definition.field_type]} field (accepted: ${parsed.accepted})` });
      }
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: result };
}
