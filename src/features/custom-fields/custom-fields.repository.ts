import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

const FIELD_COLUMNS = ['id', 'name', 'field_type', 'position', 'created_at', 'updated_at'] as const;

export function listFields(db: Kysely<DB>, companyId: number) {
  return db.selectFrom('custom_fields').select(FIELD_COLUMNS).where('company_id', '=', companyId).orderBy('position').orderBy('id').execute();
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
