import type { Database } from '../../db/database.js';
import type { DbScope } from '../../db/scope.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { type Actor, type FieldChanges, recordAudit } from '../audit/audit.js';
import { type ExportParameters, exportParameters, resolveListQuery } from '../exports/exports.service.js';
import type { ProfileListQuery, RawListQuery } from '../profiles/profile-list-query.js';
import { countMatching } from '../profiles/profile-list.repository.js';
import { listProfiles, type ProfilePage } from '../profiles/profile-list.service.js';
import * as repo from './groups.repository.js';

export type GroupKind = repo.GroupKind;
export const GROUP_KINDS: readonly GroupKind[] = ['uploaded', 'filtered'];

/** A filtered group's saved filter: the Profiles list's own parameters (search and filters; no order or paging). */
export type GroupFilter = Omit<ExportParameters, 'order'>;

/** A group as the API shows it. */
export interface GroupView {
  id: number;
  name: string;
  kind: GroupKind;
  filter: GroupFilter | null;
  /** Uploaded: its members; filtered: the profiles its filter matches now. */
  member_count: number;
  created_at: string;
  updated_at: string;
}

export const MAX_GROUP_NAME = 200;
/** At most this many profile ids per add/remove request. */
export const MAX_MEMBER_IDS = 10_000;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The name as compared for uniqueness: case and repeated spaces do not make a different group. */
export function groupNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A clean group name, or a clear error naming the field. */
export function checkGroupName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string') throw invalidInput([{ field, value: name, message: 'must be text (accepted: 1 to 200 characters)' }]);
  const clean = name.trim().replace(/\s+/g, ' ');
  if (!clean) throw invalidInput([{ field, value: name, message: 'must not be empty (accepted: 1 to 200 characters)' }]);
  if ([...clean].length > MAX_GROUP_NAME) throw invalidInput([{ field, value: name, message: `is too long (accepted: at most ${MAX_GROUP_NAME} characters)` }]);
  if (CONTROL.test(clean)) throw invalidInput([{ field, value: name, message: 'contains control characters (accepted: printable text)' }]);
  return clean;
}

/** The saved filter as stored: only the keys that decide the rows, checked exactly as GET /profiles checks them. */
async function checkFilter(database: Database, companyId: number, raw: RawListQuery): Promise<GroupFilter> {
  const { order: _order, ...filter } = exportParameters(raw);
  try {
    await resolveListQuery(database, companyId, filter);
  } catch (error) {
    // Name the field as the group's: filter.custom_field rather than custom_field.
    if (error instanceof AppError && error.code === 'invalid_input') {
      const fields = (error.details as { fields?: Array<{ field: string; value?: unknown; message: string }> }).fields ?? [];
      throw invalidInput(fields.map((f) => ({ ...f, field: `filter.${f.field}` })));
    }
    throw error;
  }
  return filter;
}

async function filterQuery(database: Database, companyId: number, filter: GroupFilter): Promise<ProfileListQuery> {
  return resolveListQuery(database, companyId, filter);
}

async function toViews(database: Database, companyId: number, rows: repo.GroupRow[]): Promise<GroupView[]> {
  const counts = await repo.memberCounts(database.db, companyId, rows.filter((r) => r.kind === 'uploaded').map((r) => r.id));
  return Promise.all(rows.map(async (row) => {
    const filter = row.filter === null ? null : (JSON.parse(row.filter) as GroupFilter);
    let memberCount = counts.get(row.id) ?? 0;
    if (row.kind === 'filtered' && filter) {
      // A filter naming a custom field deleted since matches nothing rather than failing the whole list.
      memberCount = await filterQuery(database, companyId, filter).then((q) => countMatching(database, companyId, q), () => 0);
    }
    return { id: row.id, name: row.name, kind: row.kind as GroupKind, filter, member_count: memberCount, created_at: row.created_at, updated_at: row.updated_at };
  }));
}

async function mustFind(scope: Pick<DbScope, 'db'>, companyId: number, groupId: number): Promise<repo.GroupRow> {
  const row = await repo.findGroup(scope.db, companyId, groupId);
  if (!row) throw notFound('Group');
  return row;
}

function nameTaken(name: string): AppError {
  return new AppError('conflict', `A group named ${JSON.stringify(name)} already exists`, { field: 'name', value: name });
}

/** The company's groups, newest first, a page at a time. */
export async function listGroups(database: Database, companyId: number, options: { kind?: GroupKind; page: number; perPage: number }): Promise<{ data: GroupView[]; page: number; per_page: number; total: number }> {
  const { rows, total } = await repo.listGroups(database.db, companyId, options);
  return { data: await toViews(database, companyId, rows), page: options.page, per_page: options.perPage, total };
}

export async function getGroup(database: Database, companyId: number, groupId: number): Promise<GroupView> {
  return (await toViews(database, companyId, [await mustFind(database, companyId, groupId)]))[0]!;
}

/** Creates a group (a filtered one needs its filter), audited. */
export async function createGroup(database: Database, auth: AuthContext, input: { name: unknown; kind: GroupKind; filter?: RawListQuery | null }): Promise<GroupView> {
  const name = checkGroupName(input.name);
  let filter: GroupFilter | null = null;
  if (input.kind === 'filtered') {
    if (!input.filter) throw invalidInput([{ field: 'filter', message: 'is required for a filtered group (accepted: the Profiles list parameters, e.g. {"subscription_status":"active"})' }]);
    filter = await checkFilter(database, auth.companyId, input.filter);
  } else if (input.filter) {
    throw invalidInput([{ field: 'filter', value: input.filter, message: 'is only for filtered groups (an uploaded group has members instead)' }]);
  }
  const id = await createGroupIn(database, auth.companyId, auth.actor, { name, kind: input.kind, filter });
  return getGroup(database, auth.companyId, id);
}

/** Inserts a group and its audit entry in the caller's scope; a taken name is a 409. */
export async function createGroupIn(scope: DbScope & Pick<Database, 'isUniqueViolation'> | Database, companyId: number, actor: Actor, input: { name: string; kind: GroupKind; filter: GroupFilter | null }): Promise<number> {
  const at = nowIso();
  const run = async (db: DbScope['db']) => {
    if (await repo.findGroupByNameKey(db, companyId, groupNameKey(input.name))) throw nameTaken(input.name);
    const id = await repo.insertGroup(db, companyId, { name: input.name, name_key: groupNameKey(input.name), kind: input.kind, filter: input.filter ? JSON.stringify(input.filter) : null, created_at: at, updated_at: at });
    const changes: FieldChanges = { name: { before: null, after: input.name }, kind: { before: null, after: input.kind } };
    if (input.filter) changes.filter = { before: null, after: input.filter };
    await recordAudit(db, companyId, actor, [{ action: 'group.created', entityType: 'group', entityId: id, changes }]);
    return id;
  };
  try {
    return scope.db.isTransaction ? await run(scope.db) : await scope.db.transaction().execute((trx) => run(trx));
  } catch (error) {
    if ((scope as Database).isUniqueViolation?.(error)) throw nameTaken(input.name);
    throw error;
  }
}

/**
 * The uploaded group named so (case and spaces aside), created if there is none; an upload adds its rows to it.
 * A filtered group of that name is a conflict: its members are not a list one can add to.
 */
export async function uploadGroupNamed(database: Database, companyId: number, actor: Actor, rawName: unknown): Promise<{ id: number; name: string }> {
  const name = checkGroupName(rawName, 'group_name');
  const existing = await repo.findGroupByNameKey(database.db, companyId, groupNameKey(name));
  if (existing) {
    if (existing.kind !== 'uploaded') throw new AppError('conflict', `The group ${JSON.stringify(existing.name)} is a filtered group; upload into an uploaded group (choose another name)`, { field: 'group_name', value: rawName });
    return { id: existing.id, name: existing.name };
  }
  try {
    return { id: await createGroupIn(database, companyId, actor, { name, kind: 'uploaded', filter: null }), name };
  } catch (error) {
    // Two uploads naming one new group at once: the other created it first.
    if (error instanceof AppError && error.code === 'conflict') {
      const created = await repo.findGroupByNameKey(database.db, companyId, groupNameKey(name));
      if (created?.kind === 'uploaded') return { id: created.id, name: created.name };
    }
    throw error;
  }
}

/** Renames a group or changes a filtered group's filter, audited (only what changed). */
export async function updateGroup(database: Database, auth: AuthContext, groupId: number, input: { name?: unknown; filter?: RawListQuery }): Promise<GroupView> {
  const row = await mustFind(database, auth.companyId, groupId);
  const changes: FieldChanges = {};
  const values: Parameters<typeof repo.updateGroup>[3] = {};
  if (input.name !== undefined) {
    const name = checkGroupName(input.name);
    if (name !== row.name) {
      changes.name = { before: row.name, after: name };
      values.name = name;
      values.name_key = groupNameKey(name);
    }
  }
  if (input.filter !== undefined) {
    if (row.kind !== 'filtered') throw invalidInput([{ field: 'filter', value: input.filter, message: 'is only for filtered groups (an uploaded group has members instead)' }]);
    const filter = await checkFilter(database, auth.companyId, input.filter);
    if (JSON.stringify(filter) !== row.filter) {
      changes.filter = { before: row.filter === null ? null : JSON.parse(row.filter), after: filter };
      values.filter = JSON.stringify(filter);
    }
  }
  if (Object.keys(changes).length) {
    try {
      await database.db.transaction().execute(async (trx) => {
        if (values.name_key && values.name_key !== row.name_key) {
          const other = await repo.findGroupByNameKey(trx, auth.companyId, values.name_key);
          if (other && other.id !== groupId) throw nameTaken(values.name!);
        }
        await repo.updateGroup(trx, auth.companyId, groupId, { ...values, updated_at: nowIso() });
        await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'group.updated', entityType: 'group', entityId: groupId, changes }]);
      });
    } catch (error) {
      if (database.isUniqueViolation(error)) throw nameTaken(values.name ?? '');
      throw error;
    }
  }
  return getGroup(database, auth.companyId, groupId);
}

/** Deletes a group and its member list; the profiles stay. Audited. */
export async function deleteGroup(database: Database, auth: AuthContext, groupId: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const row = await mustFind({ db: trx }, auth.companyId, groupId);
    const members = row.kind === 'uploaded' ? ((await repo.memberCounts(trx, auth.companyId, [groupId])).get(groupId) ?? 0) : null;
    await repo.deleteGroup(trx, auth.companyId, groupId);
    const changes: FieldChanges = { name: { before: row.name, after: null }, kind: { before: row.kind, after: null } };
    if (members !== null) changes.member_count = { before: members, after: 0 };
    await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'group.deleted', entityType: 'group', entityId: groupId, changes }]);
  });
}

/** What scopes the Profiles list to a group: an uploaded group's members, or a filtered group's saved filter. */
export async function groupListScope(database: Database, companyId: number, groupId: number): Promise<Pick<ProfileListQuery, 'groupId' | 'alsoMatching'>> {
  const row = await mustFind(database, companyId, groupId);
  if (row.kind === 'uploaded') return { groupId };
  try {
    return { alsoMatching: await filterQuery(database, companyId, JSON.parse(row.filter ?? '{}') as GroupFilter) };
  } catch (error) {
    if (error instanceof AppError) throw new AppError('conflict', `The group's saved filter is no longer valid (${error.message}); change its filter`, { group_id: groupId });
    throw error;
  }
}

/** GET /groups/:id/members: the Profiles list, scoped to the group. */
export async function listMembers(database: Database, companyId: number, groupId: number, raw: RawListQuery & { cursor?: string }): Promise<ProfilePage> {
  return listProfiles(database, companyId, raw, await groupListScope(database, companyId, groupId));
}

function checkIds(profileIds: readonly number[]): number[] {
  if (profileIds.length === 0) throw invalidInput([{ field: 'profile_ids', value: profileIds, message: 'must name at least one profile' }]);
  if (profileIds.length > MAX_MEMBER_IDS) throw invalidInput([{ field: 'profile_ids', message: `has ${profileIds.length} ids (accepted: at most ${MAX_MEMBER_IDS.toLocaleString('en-US')} per request)` }]);
  return [...new Set(profileIds)];
}

async function uploadedGroup(database: Database, companyId: number, groupId: number): Promise<repo.GroupRow> {
  const row = await mustFind(database, companyId, groupId);
  if (row.kind !== 'uploaded') throw new AppError('conflict', `The group ${JSON.stringify(row.name)} is a filtered group: its members are the profiles its filter matches; change the filter instead`, { kind: row.kind });
  return row;
}

/** Adds profiles of the company to an uploaded group; ids that are not its profiles are a 422 naming them. */
export async function addMembers(database: Database, auth: AuthContext, groupId: number, profileIds: readonly number[]): Promise<{ added: number }> {
  const ids = checkIds(profileIds);
  await uploadedGroup(database, auth.companyId, groupId);
  return database.db.transaction().execute(async (trx) => {
    const existing = await repo.existingProfileIds(trx, auth.companyId, ids);
    const unknown = ids.filter((id) => !existing.has(id));
    if (unknown.length) throw invalidInput([{ field: 'profile_ids', value: unknown.slice(0, 20), message: `${unknown.length === 1 ? 'is not a profile' : 'are not profiles'} of this company` }]);
    const added = await repo.addMembers({ db: trx, engine: database.engine }, auth.companyId, groupId, ids, nowIso());
    if (added) await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'group.members_added', entityType: 'group', entityId: groupId, changes: { members_added: { before: null, after: added }, profile_ids: { before: null, after: ids.length <= 100 ? ids : `${ids.length} ids` } } }]);
    return { added };
  });
}

/** Removes profiles from an uploaded group (never deletes them); ids that are not members are ignored. */
export async function removeMembers(database: Database, auth: AuthContext, groupId: number, profileIds: readonly number[]): Promise<{ removed: number }> {
  const ids = checkIds(profileIds);
  await uploadedGroup(database, auth.companyId, groupId);
  return database.db.transaction().execute(async (trx) => {
    const removed = await repo.removeMembers(trx, auth.companyId, groupId, ids);
    if (removed) await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'group.members_removed', entityType: 'group', entityId: groupId, changes: { members_removed: { before: removed, after: null }, profile_ids: { before: ids.length <= 100 ? ids : `${ids.length} ids`, after: null } } }]);
    return { removed };
  });
}

/** Adds profiles to an uploaded group inside the caller's transaction (uploads); answers how many were new members. */
export function addMembersIn(scope: DbScope, companyId: number, groupId: number, profileIds: readonly number[]): Promise<number> {
  return repo.addMembers(scope, companyId, groupId, profileIds, nowIso());
}
