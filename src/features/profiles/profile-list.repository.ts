import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { CustomFieldCondition, ProfileListQuery } from './profile-list-query.js';
import { PROFILE_COLUMNS, type ProfileRow } from './profiles.repository.js';

type ProfilesAlias = DB & { p: DB['profiles'] };

/**
 * A custom-field condition as `p.id IN (matching values)` so the planner can start from the value index
 * (company, field, value, profile) when it is selective; "is empty" is the complement.
 */
function customFieldCondition(eb: ExpressionBuilder<ProfilesAlias, 'p'>, companyId: number, condition: CustomFieldCondition) {
  let values = eb
    .selectFrom('profile_field_values as v')
    .select('v.profile_id')
    .where('v.company_id', '=', companyId)
    .where('v.field_id', '=', condition.fieldId);
  switch (condition.op) {
    case 'empty':
      return eb('p.id', 'not in', values);
    case 'contains': {
      const pattern = `%${condition.text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      values = values.where(sql<boolean>`lower(v.value_text) LIKE ${pattern} ESCAPE '\\'`);
      break;
    }
    case 'in':
      values = values.where('v.value_text', 'in', condition.texts);
      break;
    case 'between':
      values = values.where(`v.${condition.column}`, '>=', condition.low).where(`v.${condition.column}`, '<=', condition.high);
      break;
    case 'eq':
      values = values.where(`v.${condition.column}`, '=', condition.value);
      break;
    case 'lt':
      values = values.where(`v.${condition.column}`, '<', condition.value);
      break;
    case 'gt':
      values = values.where(`v.${condition.column}`, '>', condition.value);
      break;
  }
  return eb('p.id', 'in', values);
}

/** Profiles of one company matching the list's search and filters (alias `p`), before ordering and paging. */
export function matching(database: Database, db: Kysely<DB>, companyId: number, query: ProfileListQuery, options: { searchFirst?: boolean } = {}) {
  // Starting from the search index means not starting from the company's rows in first-seen order.
  const company = options.searchFirst ? database.unindexed('p.company_id') : sql.ref<number>('p.company_id');
  let q = db.selectFrom('profiles as p').where(company, '=', companyId);
  if (query.status) q = q.where(`p.${query.status.column}`, '=', query.status.value);
  if (query.firstSeenTypes.length) q = q.where('p.source_type', 'in', query.firstSeenTypes);
  if (query.undeliverableReasons.length) q = q.where('p.status', '=', 'Opted Out').where('p.opted_out_source', 'in', query.undeliverableReasons);
  if (query.search) q = q.where(database.profileSearch(query.search.needle));
  for (const condition of query.customFields) q = q.where((eb) => customFieldCondition(eb, companyId, condition));
  if (query.groupId !== undefined) {
    const members = db.selectFrom('group_members as gm').select('gm.profile_id').where('gm.company_id', '=', companyId).where('gm.group_id', '=', query.groupId);
    q = q.where('p.id', 'in', members);
  }
  if (query.alsoMatching) q = q.where('p.id', 'in', matching(database, db, companyId, query.alsoMatching).select('p.id'));
  return q;
}

/**
 * How many profiles match (exact). Filters on the subscription status filter, first seen type and opt-out reason
 * alone are read from the kept counts, which are kept per (status, status filter, first seen type, opt-out reason).
 */
export async function countMatching(database: Database, companyId: number, query: ProfileListQuery): Promise<number> {
  if (!query.search && query.customFields.length === 0 && query.groupId === undefined && !query.alsoMatching) {
    let counts = database.db.selectFrom('profile_counts').where('company_id', '=', companyId);
    if (query.status) counts = counts.where(query.status.column, '=', query.status.value);
    if (query.firstSeenTypes.length) counts = counts.where('source_type', 'in', query.firstSeenTypes);
    if (query.undeliverableReasons.length) counts = counts.where('status', '=', 'Opted Out').where('opted_out_source', 'in', query.undeliverableReasons);
    const kept = await counts.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), eb.lit(0)).as('n')).executeTakeFirstOrThrow();
    return Number(kept.n);
  }
  const row = await matching(database, database.db, companyId, query)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Where a page starts: after (or before) a known row, so next/previous seek instead of counting past rows. */
export interface Keyset {
  createdAt: string;
  id: number;
  direction: 'after' | 'before';
}

/**
 * Whether a page should start from the search index: when the matches are few next to the rows a scan in
 * first-seen order would pass over to fill the page (measured at 1M profiles: bench/profile-list.ts).
 */
async function startFromSearch(database: Database, companyId: number, query: ProfileListQuery, total: number): Promise<boolean> {
  if (!query.search || !database.searchPlanByCount) return false;
  const companyRows = await countMatching(database, companyId, { ...query, search: null, status: null, firstSeenTypes: [], undeliverableReasons: [], customFields: [] });
  const reach = query.page * query.perPage;
  return total * total * 30 < reach * Math.max(companyRows, 1);
}

/**
 * One page of profiles in first-seen order (ties by id), in one statement: the page's ids are chosen over
 * the covering index, then their rows read by id. With a keyset the page seeks from a row the client
 * already has; without one it skips (page - 1) × perPage rows.
 */
export async function pageOfProfiles(database: Database, companyId: number, query: ProfileListQuery, total: number, keyset?: Keyset): Promise<ProfileRow[]> {
  if (total === 0 || (!keyset && (query.page - 1) * query.perPage >= total)) return [];
  // "after" in display order; for "before" we walk the other way and reverse.
  const forward = !keyset || keyset.direction === 'after';
  const ascending = (query.order === 'asc') === forward;
  const searchFirst = await startFromSearch(database, companyId, query, total);
  let ids = matching(database, database.db, companyId, query, { searchFirst }).select('p.id');
  if (keyset) {
    ids = ids.where((eb) => eb(eb.refTuple('p.created_at', 'p.id'), ascending ? '>' : '<', eb.tuple(keyset.createdAt, keyset.id)));
  }
  const dir = ascending ? 'asc' : 'desc';
  ids = ids.orderBy('p.created_at', dir).orderBy('p.id', dir).limit(query.perPage);
  if (!keyset) ids = ids.offset((query.page - 1) * query.perPage);
  const rows = (await database.db
    .selectFrom('profiles')
    .select(PROFILE_COLUMNS)
    .where('company_id', '=', companyId)
    .where('id', 'in', ids)
    .orderBy('created_at', query.order)
    .orderBy('id', query.order)
    .execute()) as ProfileRow[];
  return rows;
}
