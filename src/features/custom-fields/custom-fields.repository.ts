import type { Kysely } from 'kysely';
import { compiledOnce } from '../../db/compiled.js';
import type { DB } from '../../db/schema.js';

const FIELD_COLUMNS = ['id', 'name', 'field_type', 'position', 'created_at', 'updated_at'] as const;

export function listFields(db: Kysely<DB>, companyId: number) {
  return db.selectFrom('custom_fields').select(FIELD_COLUMNS).where('company_id', '=', companyId).orderBy('position').orderBy('id').execute();
}

/**
 * What parsing profile input needs, in one statement (it runs on every list request): the company's default
 * country and gender options on every row, with its fields in definition order (one row of nulls when it has none).
 * No row: no such company.
 */
export function fieldsWithCompany(db: Kysely<DB>, companyId: number) {
  return compiledOnce(db, 'custom fields with company', { companyId }, (v) =>
    db
      .selectFrom('companies as c')
      .leftJoin('custom_fields as f', (join) => join.onRef('f.company_id', '=', 'c.id'))
      .select(['c.default_country', 'c.gender_options', 'f.id', 'f.name', 'f.field_type', 'f.position', 'f.created_at', 'f.updated_at'])
      .where('c.id', '=', v.companyId)
      .orderBy('f.position')
      .orderBy('f.id'),
  );
}

export function findField(db: Kysely<DB>, companyId: number, fieldId: number) {
  return db.selectFrom('custom_fields').select(FIELD_COLUMNS).where('company_id', '=', companyId).where('id', '=', fieldId).executeTakeFirst();
}

export function nextPosition(db: Kysely<DB>, companyId: number) {
  return db
    .selectFrom('custom_fields')
    .select((eb) => eb.fn.coalesce(eb.fn.max('position'), eb.lit(0)).as('max'))
    .where('company_id', '=', companyId)
    .executeTakeFirstOrThrow();
}

export function insertField(db: Kysely<DB>, companyId: number, values: { name: string; name_key: string; field_type: string; position: number; created_at: string }) {
  return db
    .insertInto('custom_fields')
    .values({ company_id: companyId, ...values, updated_at: values.created_at })
    .returning(FIELD_COLUMNS)
    .executeTakeFirstOrThrow();
}

export function updateField(
  db: Kysely<DB>,
  companyId: number,
  fieldId: number,
  values: Partial<{ name: string; name_key: string; field_type: string; position: number }> & { updated_at: string },
) {
  return db.updateTable('custom_fields').set(values).where('company_id', '=', companyId).where('id', '=', fieldId).execute();
}

export function deleteField(db: Kysely<DB>, companyId: number, fieldId: number) {
  return db.deleteFrom('custom_fields').where('company_id', '=', companyId).where('id', '=', fieldId).execute();
}

export function countValues(db: Kysely<DB>, companyId: number, fieldId: number) {
  return db
    .selectFrom('profile_field_values')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('company_id', '=', companyId)
    .where('field_id', '=', fieldId)
    .executeTakeFirstOrThrow();
}

export function deleteValuesOfField(db: Kysely<DB>, companyId: number, fieldId: number) {
  return db.deleteFrom('profile_field_values').where('company_id', '=', companyId).where('field_id', '=', fieldId).execute();
}
