import type { Database } from '../../db/database.js';
import { afterCommit, ShortCache } from '../../db/short-cache.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import { changedFields, recordAudit } from '../audit/audit.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { FIELD_TYPE_LABELS, FIELD_TYPES, type FieldType, isFieldType } from './field-types.js';
import * as repo from './custom-fields.repository.js';

/** A custom field definition as the API shows it. */
export interface CustomField {
  id: number;
  name: string;
  field_type: FieldType;
  position: number;
  created_at: string;
  updated_at: string;
}

/** The standard profile columns of the export (SPEC §6); a custom field may not take one of these names. */
export const RESERVED_FIELD_NAMES = new Set([
  'id', 'phone_number', 'email', 'first_name', 'last_name', 'status', 'description', 'street1', 'street2', 'city', 'state',
  'postal_code', 'country', 'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district',
  'latitude', 'longitude', 'precision', 'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country',
  'carrier_name', 'created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source', 'updated_at', 'cleaned?',
  'custom_fields',
]);

/** Names compare case-insensitively with spaces collapsed, so "Favorite Color" and "favorite  color" are one field. */
export function fieldNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function checkName(name: string): string {
  const clean = name.trim().replace(/\s+/g, ' ');
  if (!clean) throw invalidInput([{ field: 'name', value: name, message: 'must not be empty' }]);
  if (clean.length > 100) throw invalidInput([{ field: 'name', value: name, message: 'must be at most 100 characters' }]);
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(clean)) throw invalidInput([{ field: 'name', value: name, message: 'must not contain control characters' }]);
  // Half of a surrogate pair would be stored as U+FFFD, so the name read back would not be the name given.
  if (/\p{Cs}/u.test(clean)) throw invalidInput([{ field: 'name', value: name, message: 'must be well-formed Unicode text' }]);
  // JavaScript objects put integer-like keys first, so such a name would break custom_fields' definition order.
  if (/^(?:0|[1-9]\d{0,9})$/.test(clean)) {
    throw invalidInput([{ field: 'name', value: name, message: 'must not be a bare whole number; add a word (e.g. "Class of 2024")' }]);
  }
  if (RESERVED_FIELD_NAMES.has(clean.toLowerCase())) {
    throw invalidInput([{ field: 'name', value: name, message: 'is the name of a standard profile field; choose another name' }]);
  }
  return clean;
}

/** Accepts a type id (`yes_no`) or the name people read (`Yes/No`), in any case. */
function checkType(type: string): FieldType {
  const wanted = type.trim().toLowerCase();
  if (isFieldType(wanted)) return wanted;
  const byLabel = FIELD_TYPES.find((id) => FIELD_TYPE_LABELS[id].toLowerCase() === wanted);
  if (byLabel) return byLabel;
  const accepted = FIELD_TYPES.map((id) => `${id} (${FIELD_TYPE_LABELS[id]})`).join(', ');
  throw invalidInput([{ field: 'field_type', value: type, message: `is not a field type (accepted: ${accepted})` }]);
}

function toView(row: Awaited<ReturnType<typeof repo.listFields>>[number]): CustomField {
  return { ...row, field_type: row.field_type as FieldType };
}

/** The company's custom fields in definition order (the export's column order). */
export async function listCustomFields(database: Database, companyId: number): Promise<CustomField[]> {
  return (await repo.listFields(database.db, companyId)).map(toView);
}

/** Everything needed to parse custom field values for a company: its fields by name key and gender options. */
export async function customFieldContext(database: Database, companyId: number) {
  const rows = await repo.fieldsWithCompany(database.db, companyId);
  const company = rows[0];
  if (!company) throw notFound('Company');
  const fields: CustomField[] = [];
  for (const row of rows) {
    if (row.id === null) continue;
    fields.push({ id: row.id, name: row.name!, field_type: row.field_type as FieldType, position: row.position!, created_at: row.created_at!, updated_at: row.updated_at! });
  }
  const genderOptions = JSON.parse(company.gender_options) as string[];
  return { fields, byKey: new Map(fields.map((f) => [fieldNameKey(f.name), f])), genderOptions, defaultCountry: company.default_country };
}
export type CustomFieldContext = Awaited<ReturnType<typeof customFieldContext>>;

/**
 * The custom-field context as the Profiles list reads it, kept for a moment (src/db/short-cache.ts): it was read on
 * every list request. Field and company-settings changes forget it in this process at once; another process on the
 * same database may show the old fields for up to CUSTOM_FIELD_CONTEXT_CACHE_MS. Writes read the context afresh.
 */
export const CUSTOM_FIELD_CONTEXT_CACHE_MS = 2000;
export const customFieldContextCache = new ShortCache<CustomFieldContext>({ max: 1000, ttlMs: CUSTOM_FIELD_CONTEXT_CACHE_MS });

/** The kept custom-field context of the company, if there is one: reads nothing. */
export function customFieldContextIfKept(database: Database, companyId: number): CustomFieldContext | undefined {
  return customFieldContextCache.peek(database, String(companyId));
}

/** customFieldContext for reading (the Profiles list): kept for a moment; callers must not change it. */
export async function keptCustomFieldContext(database: Database, companyId: number): Promise<CustomFieldContext> {
  return (await customFieldContextCache.get(database, String(companyId), async () => ({ value: await customFieldContext(database, companyId) })))!;
}

function uniqueName<T>(database: Database, name: string, run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    if (database.isUniqueViolation(error)) throw new AppError('conflict', `A custom field named ${JSON.stringify(name)} already exists`, { field: 'name', value: name });
    throw error;
  });
}

export async function createCustomField(database: Database, auth: AuthContext, input: { name: string; field_type: string }): Promise<CustomField> {
  const name = checkName(input.name);
  const fieldType = checkType(input.field_type);
  return uniqueName(database, name, () =>
    afterCommit(customFieldContextCache, database.db.transaction().execute(async (trx) => {
      const position = Number((await repo.nextPosition(trx, auth.companyId)).max) + 1;
      const row = await repo.insertField(trx, auth.companyId, { name, name_key: fieldNameKey(name), field_type: fieldType, position, created_at: nowIso() });
      await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'custom_field.created', entityType: 'custom_field', entityId: row.id, changes: changedFields(null, { name, field_type: fieldType }) }]);
      return toView(row);
    })),
  );
}

/** Renames, re-orders, or changes the type of a field that holds no values yet. */
export async function updateCustomField(
  database: Database,
  auth: AuthContext,
  fieldId: number,
  input: { name?: string; field_type?: string; position?: number },
): Promise<CustomField> {
  const values: { name?: string; name_key?: string; field_type?: string; position?: number } = {};
  if (input.name !== undefined) {
    values.name = checkName(input.name);
    values.name_key = fieldNameKey(values.name);
  }
  if (input.field_type !== undefined) values.field_type = checkType(input.field_type);
  if (input.position !== undefined) values.position = input.position;
  return uniqueName(database, values.name ?? '', () =>
    afterCommit(customFieldContextCache, database.db.transaction().execute(async (trx) => {
      const before = await repo.findField(trx, auth.companyId, fieldId);
      if (!before) throw notFound('Custom field');
      if (values.field_type && values.field_type !== before.field_type && Number((await repo.countValues(trx, auth.companyId, fieldId)).n) > 0) {
        throw new AppError('conflict', `Custom field ${JSON.stringify(before.name)} already holds values; its type cannot change from ${before.field_type} to ${values.field_type}`, { field: 'field_type', value: values.field_type });
      }
      // name_key follows name, so comparing the fields a person sees is enough; nothing changed leaves updated_at alone.
      const changes = changedFields(before, { name: values.name ?? before.name, field_type: values.field_type ?? before.field_type, position: values.position ?? before.position });
      if (Object.keys(changes).length === 0) return toView(before);
      await repo.updateField(trx, auth.companyId, fieldId, { ...values, updated_at: nowIso() });
      const after = (await repo.findField(trx, auth.companyId, fieldId))!;
      await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'custom_field.updated', entityType: 'custom_field', entityId: fieldId, changes }]);
      return toView(after);
    })),
  );
}

/** Deletes a field and every profile's value of it. */
export async function deleteCustomField(database: Database, auth: AuthContext, fieldId: number): Promise<void> {
  await afterCommit(customFieldContextCache, database.db.transaction().execute(async (trx) => {
    const before = await repo.findField(trx, auth.companyId, fieldId);
    if (!before) throw notFound('Custom field');
    const removed = await repo.deleteValuesOfField(trx, auth.companyId, fieldId);
    await repo.deleteField(trx, auth.companyId, fieldId);
    await recordAudit(trx, auth.companyId, auth.actor, [{
      action: 'custom_field.deleted',
      entityType: 'custom_field',
      entityId: fieldId,
      changes: { ...changedFields(before, { name: null, field_type: null }), values_removed: { before: Number(removed[0]?.numDeletedRows ?? 0), after: 0 } },
    }]);
  }));
}
