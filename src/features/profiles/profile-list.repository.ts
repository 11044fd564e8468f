import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { compiledArrays, compiledOnce } from '../../db/compiled.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { CustomFieldCondition, ProfileListQuery } from './profile-list-query.js';
import { chunks, PROFILE_COLUMNS, type ProfileRow, type StoredValueRow } from './profiles.repository.js';

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
 * What shapes the list's statements besides the company and the page: the whole query but its page and size,
 * so a filter added to the query is part of the key of the statements compiled once (src/db/compiled.ts).
 */
function shapeKey(kind: string, query: ProfileListQuery, ...more: unknown[]): string {
  return JSON.stringify([kind, { ...query, page: undefined, perPage: undefined }, ...more]);
}

/**
 * How many profiles match (exact). Filters on the subscription status filter, first seen type and opt-out reason
 * alone are read from the kept counts, which are kept per (status, status filter, first seen type, opt-out reason).
 */
export async function countMatching(database: Database, companyId: number, query: ProfileListQuery): Promise<number> {
  if (countIsKept(query)) {
    const [kept] = await compiledOnce(database.db, shapeKey('kept count', query), { companyId }, (v) => keptCount(database.db, v.companyId, query));
    return Number(kept!.n);
  }
  const [row] = await compiledOnce(database.db, shapeKey('count', query), { companyId }, (v) =>
    matching(database, database.db, v.companyId, query).select((eb) => eb.fn.countAll<number>().as('n')),
  );
  return Number(row!.n);
}

/** Whether the query's total is read from the kept counts: nothing but the filters they are kept by. */
export function countIsKept(query: ProfileListQuery): boolean {
  return !query.search && query.customFields.length === 0 && query.groupId === undefined && !query.alsoMatching;
}

/** The query's total from the kept counts (countIsKept), as a one-column statement `n`. */
function keptCount(db: Pick<Kysely<DB>, 'selectFrom'>, companyId: number, query: ProfileListQuery) {
  let counts = db.selectFrom('profile_counts').where('company_id', '=', companyId);
  if (query.status) counts = counts.where(query.status.column, '=', query.status.value);
  if (query.firstSeenTypes.length) counts = counts.where('source_type', 'in', query.firstSeenTypes);
  if (query.undeliverableReasons.length) counts = counts.where('status', '=', 'Opted Out').where('opted_out_source', 'in', query.undeliverableReasons);
  return counts.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), eb.lit(0)).as('n'));
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
async function startFromSearch(database: Database, companyId: number, query: ProfileListQuery, total: number | null): Promise<boolean> {
  if (!query.search || !database.searchPlanByCount || total === null) return false;
  const companyRows = await countMatching(database, companyId, { ...query, search: null, status: null, firstSeenTypes: [], undeliverableReasons: [], customFields: [] });
  const reach = query.page * query.perPage;
  return total * total * 30 < reach * Math.max(companyRows, 1);
}

// Up to this many rows skipped, the page is read in one plain statement; deeper, its ids are chosen over the
// covering index first and only their rows read (measured at 1M profiles: bench/profile-list.ts).
const DIRECT_OFFSET = 1000;

/** Whether the page is read in one plain statement: it seeks from a row, or skips at most DIRECT_OFFSET rows. */
export function shallowPage(query: ProfileListQuery, keyset: Keyset | undefined): boolean {
  return keyset !== undefined || (query.page - 1) * query.perPage <= DIRECT_OFFSET;
}

/** A profile of a page, with whether it has any subscription (those of the others need not be read). */
export type PageRow = ProfileRow & { subscribed: number | boolean };

/**
 * One page of profiles in first-seen order (ties by id), in one statement. With a keyset the page seeks from a
 * row the client already has; without one it skips (page - 1) × perPage rows, deep pages choosing their ids over
 * the covering index before reading their rows. The total, when known (null: read alongside), saves reading past the end.
 */
export async function pageOfProfiles(database: Database, companyId: number, query: ProfileListQuery, total: number | null, keyset?: Keyset): Promise<PageRow[]> {
  return (await readPage(database, companyId, query, total, keyset, false)).rows;
}

/**
 * pageOfProfiles with the query's kept total (countIsKept) read by the same statement, as a scalar subquery run
 * once: one statement and one snapshot instead of two (on PostgreSQL two round trips side by side). The total is
 * null when no row carries it (no profile on the page). Searches are never counted this way, so SQLite's choice
 * of where a page starts (startFromSearch) never needs the total first.
 */
export async function pageWithKeptTotal(database: Database, companyId: number, query: ProfileListQuery, keyset?: Keyset): Promise<{ total: number | null; rows: PageRow[] }> {
  return readPage(database, companyId, query, null, keyset, true);
}

async function readPage(database: Database, companyId: number, query: ProfileListQuery, total: number | null, keyset: Keyset | undefined, withKeptTotal: boolean): Promise<{ total: number | null; rows: PageRow[] }> {
  const offset = (query.page - 1) * query.perPage;
  if (total === 0 || (total !== null && !keyset && offset >= total)) return { total, rows: [] };
  // "after" in display order; for "before" we walk the other way and reverse.
  const forward = !keyset || keyset.direction === 'after';
  const ascending = (query.order === 'asc') === forward;
  const dir = ascending ? 'asc' : 'desc';
  const searchFirst = await startFromSearch(database, companyId, query, total);
  const direct = shallowPage(query, keyset);
  const db = database.db;
  const values = { companyId, limit: query.perPage, offset, createdAt: keyset?.createdAt ?? null, id: keyset?.id ?? null };
  const arrays = await compiledArrays(database, shapeKey('page', query, searchFirst, direct, keyset?.direction ?? null, withKeptTotal), values, (v) => {
    let page = matching(database, db, v.companyId, query, { searchFirst });
    if (keyset) page = page.where((eb) => eb(eb.refTuple('p.created_at', 'p.id'), ascending ? '>' : '<', eb.tuple(v.createdAt!, v.id!)));
    page = page.orderBy('p.created_at', dir).orderBy('p.id', dir).limit(v.limit);
    if (!keyset) page = page.offset(v.offset);
    // Whether each profile has a subscription: the page's subscriptions are read only for those that do.
    // The kept total last, after `subscribed` (built from `eb` so it stays part of the one statement for plugins too).
    const total = (eb: object) => keptCount(eb as Pick<Kysely<DB>, 'selectFrom'>, v.companyId, query).as('total');
    if (direct) {
      const rows = page
        .select(PROFILE_COLUMNS.map((c) => `p.${c}` as const))
        .select((eb) => eb.exists(eb.selectFrom('subscriptions as s').select('s.id').where('s.company_id', '=', v.companyId).whereRef('s.profile_id', '=', 'p.id')).as('subscribed'));
      return withKeptTotal ? rows.select(total) : rows;
    }
    const rows = db
      .selectFrom('profiles')
      .select(PROFILE_COLUMNS)
      .select((eb) => eb.exists(eb.selectFrom('subscriptions as s').select('s.id').where('s.company_id', '=', v.companyId).whereRef('s.profile_id', '=', 'profiles.id')).as('subscribed'))
      .where('company_id', '=', v.companyId)
      .where('id', 'in', page.select('p.id'))
      .orderBy('created_at', query.order)
      .orderBy('id', query.order);
    return withKeptTotal ? rows.select(total) : rows;
  });
  const rows = arrays.map(pageRow);
  // The plain statement reads in walking order; the page shows in display order.
  if (direct && !forward) rows.reverse();
  return { total: withKeptTotal ? (arrays.length ? Number(arrays[0]![TOTAL_AT]) : null) : total, rows };
}

// Where each profile column is in a page statement's row (PROFILE_COLUMNS order; then `subscribed`).
const at = Object.fromEntries(PROFILE_COLUMNS.map((c, i) => [c, i])) as Record<(typeof PROFILE_COLUMNS)[number], number>;
const SUBSCRIBED_AT = PROFILE_COLUMNS.length;
const TOTAL_AT = SUBSCRIBED_AT + 1;

/** A page row from its column values, as one object literal (building it key by key was slower than reading the page). */
function pageRow(values: unknown[]): PageRow {
  return {
    id: values[at.id] as PageRow['id'],
    phone_number: values[at.phone_number] as PageRow['phone_number'],
    raw_phone: values[at.raw_phone] as PageRow['raw_phone'],
    email: values[at.email] as PageRow['email'],
    first_name: values[at.first_name] as PageRow['first_name'],
    last_name: values[at.last_name] as PageRow['last_name'],
    street1: values[at.street1] as PageRow['street1'],
    street2: values[at.street2] as PageRow['street2'],
    city: values[at.city] as PageRow['city'],
    state: values[at.state] as PageRow['state'],
    postal_code: values[at.postal_code] as PageRow['postal_code'],
    country: values[at.country] as PageRow['country'],
    congressional_district: values[at.congressional_district] as PageRow['congressional_district'],
    state_upper_district: values[at.state_upper_district] as PageRow['state_upper_district'],
    state_lower_district: values[at.state_lower_district] as PageRow['state_lower_district'],
    split_district: values[at.split_district] as PageRow['split_district'],
    latitude: values[at.latitude] as PageRow['latitude'],
    longitude: values[at.longitude] as PageRow['longitude'],
    precision: values[at.precision] as PageRow['precision'],
    geocoded_city: values[at.geocoded_city] as PageRow['geocoded_city'],
    geocoded_state: values[at.geocoded_state] as PageRow['geocoded_state'],
    geocoded_postal_code: values[at.geocoded_postal_code] as PageRow['geocoded_postal_code'],
    geocoded_country: values[at.geocoded_country] as PageRow['geocoded_country'],
    carrier_name: values[at.carrier_name] as PageRow['carrier_name'],
    created_at: values[at.created_at] as PageRow['created_at'],
    source_type: values[at.source_type] as PageRow['source_type'],
    source_name: values[at.source_name] as PageRow['source_name'],
    opted_out_at: values[at.opted_out_at] as PageRow['opted_out_at'],
    opted_out_source: values[at.opted_out_source] as PageRow['opted_out_source'],
    status: values[at.status] as PageRow['status'],
    updated_at: values[at.updated_at] as PageRow['updated_at'],
    subscribed: values[SUBSCRIBED_AT] as PageRow['subscribed'],
  };
}

/** The custom field values of the profiles shown (a page, or one profile), in one statement per 500 profiles. */
export async function shownFieldValues(database: Database, companyId: number, profileIds: readonly number[]): Promise<StoredValueRow[]> {
  const rows: StoredValueRow[] = [];
  for (const ids of chunks(profileIds)) {
    const values = await compiledArrays(database, 'shown field values', { companyId, ids }, (v) =>
      database.db.selectFrom('profile_field_values').select(['profile_id', 'field_id', 'value_text', 'value_number']).where('company_id', '=', v.companyId).where('profile_id', 'in', v.ids),
    );
    for (const [profileId, fieldId, text, number] of values) rows.push({ profile_id: profileId as number, field_id: fieldId as number, value_text: text as string, value_number: number as number | null });
  }
  return rows;
}

/**
 * A search read by page number: the total and the page in one statement, so the search index is matched
 * once rather than for the total and again for the page (measured at 1M profiles: bench/profile-list.ts). The
 * matches' ids and first-seen times are kept and counted, and only the page's rows are read. The total is null
 * when there is no row to carry it (a page past the end).
 */
export async function searchTotalAndPage(database: Database, companyId: number, query: ProfileListQuery): Promise<{ total: number | null; rows: PageRow[] }> {
  const db = database.db;
  const values = { companyId, limit: query.perPage, offset: (query.page - 1) * query.perPage };
  const arrays = await compiledArrays(database, shapeKey('search total and page', query), values, (v) =>
    db
      .with((cte) => cte('m').materialized(), () => matching(database, db, v.companyId, query, { searchFirst: true }).select(['p.id', 'p.created_at']))
      .selectFrom('m')
      .innerJoin('profiles as p', (join) => join.on('p.company_id', '=', v.companyId).onRef('p.id', '=', 'm.id'))
      .select((eb) => eb.selectFrom('m').select((c) => c.fn.countAll<number>().as('n')).as('total'))
      .select(PROFILE_COLUMNS.map((c) => `p.${c}` as const))
      .select((eb) => eb.exists(eb.selectFrom('subscriptions as s').select('s.id').where('s.company_id', '=', v.companyId).whereRef('s.profile_id', '=', 'p.id')).as('subscribed'))
      .orderBy('m.created_at', query.order)
      .orderBy('m.id', query.order)
      .limit(v.limit)
      .offset(v.offset),
  );
  return { total: arrays.length ? Number(arrays[0]![0]) : null, rows: arrays.map((a) => pageRow(a.slice(1))) };
}
