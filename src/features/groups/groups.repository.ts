import { type Kysely, sql } from 'kysely';
import { bulkRows } from '../../db/bulk.js';
import type { DbScope } from '../../db/scope.js';
import type { DB, GroupsTable } from '../../db/schema.js';

/** The groups read model (no selectAll on API paths). */
const GROUP_COLUMNS = ['id', 'name', 'name_key', 'kind', 'filter', 'created_at', 'updated_at'] as const;
export type GroupRow = Pick<GroupsTable, Exclude<(typeof GROUP_COLUMNS)[number], 'id'>> & { id: number };
export type GroupKind = 'uploaded' | 'filtered';

// Keep each statement well under SQLite's 32,766 bound-parameter limit and PostgreSQL's 65,535.
const CHUNK = 5000;

export async function insertGroup(db: Kysely<DB>, companyId: number, values: Pick<GroupsTable, 'name' | 'name_key' | 'kind' | 'filter' | 'created_at' | 'updated_at'>): Promise<number> {
  const row = await db.insertInto('groups').values({ company_id: companyId, ...values }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findGroup(db: Kysely<DB>, companyId: number, groupId: number): Promise<GroupRow | undefined> {
  return (await db.selectFrom('groups').select(GROUP_COLUMNS).where('company_id', '=', companyId).where('id', '=', groupId).executeTakeFirst()) as GroupRow | undefined;
}

export async function findGroupByNameKey(db: Kysely<DB>, companyId: number, nameKey: string): Promise<GroupRow | undefined> {
  return (await db.selectFrom('groups').select(GROUP_COLUMNS).where('company_id', '=', companyId).where('name_key', '=', nameKey).executeTakeFirst()) as GroupRow | undefined;
}

/** One page of the company's groups, newest first, with the total. */
export async function listGroups(db: Kysely<DB>, companyId: number, options: { kind?: GroupKind; page: number; perPage: number }): Promise<{ rows: GroupRow[]; total: number }> {
  let query = db.selectFrom('groups').where('company_id', '=', companyId);
  if (options.kind) query = query.where('kind', '=', options.kind);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await query.select(GROUP_COLUMNS).orderBy('id', 'desc').limit(options.perPage).offset((options.page - 1) * options.perPage).execute();
  return { rows: rows as GroupRow[], total: Number(total.n) };
}

export function updateGroup(db: Kysely<DB>, companyId: number, groupId: number, values: Partial<Pick<GroupsTable, 'name' | 'name_key' | 'filter' | 'updated_at'>>) {
  return db.updateTable('groups').set(values).where('company_id', '=', companyId).where('id', '=', groupId).execute();
}

/** Deletes the group and its member rows (never the profiles). */
export async function deleteGroup(db: Kysely<DB>, companyId: number, groupId: number): Promise<void> {
  await db.deleteFrom('group_members').where('company_id', '=', companyId).where('group_id', '=', groupId).execute();
  await db.deleteFrom('groups').where('company_id', '=', companyId).where('id', '=', groupId).execute();
}

/** Members per uploaded group, for the groups given. */
export async function memberCounts(db: Kysely<DB>, companyId: number, groupIds: number[]): Promise<Map<number, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('group_members')
    .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('company_id', '=', companyId)
    .where('group_id', 'in', groupIds)
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.group_id), Number(r.n)]));
}

/** Which of these ids are profiles of the company. */
export async function existingProfileIds(db: Kysely<DB>, companyId: number, profileIds: readonly number[]): Promise<Set<number>> {
  const found = new Set<number>();
  for (let i = 0; i < profileIds.length; i += CHUNK) {
    const rows = await db.selectFrom('profiles').select('id').where('company_id', '=', companyId).where('id', 'in', profileIds.slice(i, i + CHUNK)).execute();
    for (const r of rows) found.add(Number(r.id));
  }
  return found;
}

/** Adds profiles (already known to be the company's) to a group; answers how many were not members yet. */
export async function addMembers(scope: DbScope, companyId: number, groupId: number, profileIds: readonly number[], at: string): Promise<number> {
  let added = 0;
  for (let i = 0; i < profileIds.length; i += CHUNK) {
    // One parameter for the ids (bulkRows): a VALUES tuple per member cost more to build than to insert.
    const ids = bulkRows(scope.engine, 'ids', [['profile_id', 'bigint']], profileIds.slice(i, i + CHUNK).map((id) => [id]));
    const result = await sql`INSERT INTO group_members (company_id, group_id, profile_id, added_at)
      SELECT ${companyId}, ${groupId}, profile_id, ${at} FROM ${ids} WHERE true
      ON CONFLICT (company_id, group_id, profile_id) DO NOTHING`.execute(scope.db);
    added += Number(result.numAffectedRows ?? 0n);
  }
  return added;
}

/** Removes profiles from a group; answers how many were members. */
export async function removeMembers(db: Kysely<DB>, companyId: number, groupId: number, profileIds: readonly number[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < profileIds.length; i += CHUNK) {
    const result = await db
      .deleteFrom('group_members')
      .where('company_id', '=', companyId)
      .where('group_id', '=', groupId)
      .where('profile_id', 'in', profileIds.slice(i, i + CHUNK))
      .executeTakeFirst();
    removed += Number(result.numDeletedRows);
  }
  return removed;
}
