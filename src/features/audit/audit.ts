import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { nowIso } from '../../time.js';

/** Who made a change: a logged-in user, an API key, or Roster itself. */
export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: number | null;
  label: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, label: 'system' };

export type FieldChanges = Record<string, { before: unknown; after: unknown }>;

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number | null;
  changes: FieldChanges;
}

/** The fields whose values differ, as before/after pairs (only keys present in `after` are compared). */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): FieldChanges {
  const changes: FieldChanges = {};
  for (const [field, value] of Object.entries(after)) {
    const previous = before ? (before[field] ?? null) : null;
    if (!sameValue(previous, value ?? null)) changes[field] = { before: previous, after: value ?? null };
  }
  return changes;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Writes audit entries inside the caller's transaction, so a change and its record commit together. */
export async function recordAudit(trx: Kysely<DB>, companyId: number, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const createdAt = nowIso();
  // Keep each statement well under SQLite's 32,766 bound-parameter limit.
  for (let i = 0; i < entries.length; i += 2000) {
    await trx
      .insertInto('audit_log')
      .values(
        entries.slice(i, i + 2000).map((entry) => ({
          company_id: companyId,
          actor_type: actor.type,
          actor_id: actor.id,
          actor_label: actor.label,
          action: entry.action,
          entity_type: entry.entityType,
          entity_id: entry.entityId === null ? null : String(entry.entityId),
          changes: JSON.stringify(entry.changes),
          created_at: createdAt,
        })),
      )
      .execute();
  }
}

export interface AuditRecord {
  id: number;
  created_at: string;
  actor: Actor;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: FieldChanges;
}

/** Newest first; `beforeId` pages backwards. */
export async function listAudit(
  db: Kysely<DB>,
  companyId: number,
  filter: { entityType?: string; entityId?: string; beforeId?: number; limit: number },
): Promise<AuditRecord[]> {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'created_at', 'actor_type', 'actor_id', 'actor_label', 'action', 'entity_type', 'entity_id', 'changes'])
    .where('company_id', '=', companyId);
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    created_at: r.created_at,
    actor: { type: r.actor_type as Actor['type'], id: r.actor_id, label: r.actor_label },
    action: r.action,
    entity_type: r.entity_type,
    entity_id: r.entity_id,
    changes: JSON.parse(r.changes) as FieldChanges,
  }));
}
