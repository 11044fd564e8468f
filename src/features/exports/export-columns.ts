import { type FieldType, formatFieldValueForCsv, fromStored } from '../custom-fields/field-types.js';
import { phoneDigits } from '../profiles/phone.js';
import { describeStatus } from '../profiles/profile-rules.js';
import { neutraliseCell } from './csv-cells.js';

/**
 * The export's columns and how each profile becomes one CSV record (SPEC §6). Pure: no I/O, so the format is
 * tested on its own and shared by the background job, the CLI and the benchmark.
 */

/** The standard columns, in SPEC §6 order (Mobile Commons' own export order). */
export const STANDARD_COLUMNS = [
  'id', 'phone_number', 'email', 'first_name', 'last_name', 'status', 'description', 'street1', 'street2', 'city', 'state',
  'postal_code', 'country', 'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district',
  'latitude', 'longitude', 'precision', 'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country',
  'carrier_name', 'created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source',
] as const;

export const CLEANED_COLUMN = 'Cleaned?';

/**
 * Where an export was started from. Only the Profiles table exists today, so `withCleaned` is always false. The
 * campaign, broadcast and opt-in path reports (SPEC §6, §9) will set it when profile cleaning is on, and select a
 * `cleaned` flag (1/0) for each row: the `Cleaned?` column then follows opted_out_source, before the custom fields.
 */
export interface ExportContext {
  withCleaned: boolean;
}

export const PROFILES_TABLE_CONTEXT: ExportContext = { withCleaned: false };

/** A custom field as the export needs it; fields come in definition order. */
export interface ExportField {
  id: number;
  name: string;
  field_type: FieldType;
}

/** The profile columns the export query reads (no selectAll). */
export const EXPORT_PROFILE_COLUMNS = [
  'id', 'phone_number', 'raw_phone', 'email', 'first_name', 'last_name', 'status', 'street1', 'street2', 'city', 'state',
  'postal_code', 'country', 'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district',
  'latitude', 'longitude', 'precision', 'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country',
  'carrier_name', 'created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source',
] as const;

/** The export query's columns, in select order: the profile's, then its custom values. */
export const EXPORT_ROW_COLUMNS = [...EXPORT_PROFILE_COLUMNS, 'custom_values'] as const;

type Text = string | null;

/** One row of the export query: the profile's columns and its custom values as [field id, stored text] pairs. */
export interface ExportRow {
  id: number;
  phone_number: Text;
  raw_phone: Text;
  email: Text;
  first_name: Text;
  last_name: Text;
  status: string;
  street1: Text;
  street2: Text;
  city: Text;
  state: Text;
  postal_code: Text;
  country: Text;
  congressional_district: Text;
  state_upper_district: Text;
  state_lower_district: Text;
  split_district: number | null;
  latitude: number | null;
  longitude: number | null;
  precision: Text;
  geocoded_city: Text;
  geocoded_state: Text;
  geocoded_postal_code: Text;
  geocoded_country: Text;
  carrier_name: Text;
  created_at: string;
  source_type: string;
  source_name: Text;
  opted_out_at: Text;
  opted_out_source: Text;
  /** JSON text (SQLite) or parsed JSON (PostgreSQL) of [[field_id, value_text], …]; null when none (PostgreSQL). */
  custom_values: string | Array<[number, string]> | null;
  /** Report contexts only (see ExportContext). */
  cleaned?: number | null;
}

/** Reads one row of the export query (values in EXPORT_ROW_COLUMNS order) into `into`, which is reused row to row. */
export function readExportRow(values: readonly unknown[], into: ExportRow): ExportRow {
  const target = into as unknown as Record<string, unknown>;
  for (let i = 0; i < EXPORT_ROW_COLUMNS.length; i++) target[EXPORT_ROW_COLUMNS[i]!] = values[i];
  return into;
}

/** The header row: standard columns, Cleaned? in report contexts, then each custom field's name. */
export function exportHeader(fields: readonly ExportField[], context: ExportContext = PROFILES_TABLE_CONTEXT): string[] {
  return [...STANDARD_COLUMNS, ...(context.withCleaned ? [CLEANED_COLUMN] : []), ...fields.map((f) => f.name)].map(neutraliseCell);
}

const text = (value: Text): string => (value === null ? '' : neutraliseCell(value));
const number = (value: number | null): string => (value === null ? '' : formatFieldValueForCsv('number', value));
const yesNo = (value: number | boolean | null | undefined): string => (value === null || value === undefined ? '' : value ? 'Yes' : 'No');

// What both engines store (nowIso, and the PostgreSQL dialect's timestamp parser); anything else is rewritten to it.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
function instant(value: Text): string {
  if (value === null) return '';
  if (ISO_UTC.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? neutraliseCell(value) : date.toISOString();
}

// Numbers are written as plain decimals and never neutralised (see csv-cells.ts); everything else typed by a person is.
const NUMERIC_TYPES = new Set<FieldType>(['age', 'number']);

function customCell(type: FieldType, stored: string): string {
  let value: string;
  try {
    value = formatFieldValueForCsv(type, fromStored(type, stored));
  } catch {
    // A stored value that no longer parses (it cannot happen through Roster's writes) is exported as stored.
    value = stored;
  }
  return NUMERIC_TYPES.has(type) && /^-?\d+(?:\.\d+)?$/.test(value) ? value : neutraliseCell(value);
}

/** Builds the function that turns one export row into its CSV record, for the given fields and context. */
export function exportRecordFormatter(fields: readonly ExportField[], context: ExportContext = PROFILES_TABLE_CONTEXT): (row: ExportRow) => string[] {
  const slot = new Map(fields.map((f, i) => [f.id, i]));
  const types = fields.map((f) => f.field_type);
  return (row) => {
    const record = [
      String(row.id),
      // Digits without + (SPEC §2); a profile kept with an invalid number shows it as it came (SPEC §2, CRM sync).
      row.phone_number !== null ? phoneDigits(row.phone_number) : text(row.raw_phone),
      text(row.email),
      text(row.first_name),
      text(row.last_name),
      text(row.status),
      text(describeStatus(row.status, row.opted_out_source)),
      text(row.street1),
      text(row.street2),
      text(row.city),
      text(row.state),
      text(row.postal_code),
      text(row.country),
      text(row.congressional_district),
      text(row.state_upper_district),
      text(row.state_lower_district),
      yesNo(row.split_district),
      number(row.latitude),
      number(row.longitude),
      text(row.precision),
      text(row.geocoded_city),
      text(row.geocoded_state),
      text(row.geocoded_postal_code),
      text(row.geocoded_country),
      text(row.carrier_name),
      instant(row.created_at),
      text(row.source_type),
      text(row.source_name),
      instant(row.opted_out_at),
      text(row.opted_out_source),
    ];
    if (context.withCleaned) record.push(yesNo(row.cleaned));
    if (types.length === 0) return record;
    const custom = new Array<string>(types.length).fill('');
    const values = typeof row.custom_values === 'string' ? (JSON.parse(row.custom_values) as Array<[number, string]>) : row.custom_values;
    if (values) {
      for (const [fieldId, stored] of values) {
        const i = slot.get(Number(fieldId));
        if (i !== undefined) custom[i] = customCell(types[i]!, stored);
      }
    }
    for (const cell of custom) record.push(cell);
    return record;
  };
}
