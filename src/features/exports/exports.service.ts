import { type FileHandle, open } from 'node:fs/promises';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { enqueueJob } from '../../jobs/queue.js';
import { nowIso } from '../../time.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { getCompanySettings } from '../accounts/accounts.service.js';
import { type Actor, recordAudit } from '../audit/audit.js';
import { customFieldContext } from '../custom-fields/custom-fields.service.js';
import type { CountryCode } from '../profiles/phone.js';
import { parseListQuery, type ProfileListQuery, type RawListQuery } from '../profiles/profile-list-query.js';
import { exportFilePath, newExportFileName, removeExportFiles, removePartialFiles } from './export-files.js';
import * as repo from './exports.repository.js';

/** What the exports feature needs of the configuration. */
export type ExportSettings = Pick<Config, 'dataDir' | 'exportTtlMs'>;

/** Job kinds: writing an export's file, and deleting it when it expires. */
export const EXPORT_CSV_JOB = 'exports.csv';
export const EXPORT_EXPIRE_JOB = 'exports.expire';
/** A failing export is tried this many times in all (then it shows as failed, with the reason). */
export const EXPORT_MAX_ATTEMPTS = 3;

/** The list parameters an export keeps (GET /profiles' own, minus paging: an export has every page). */
export interface ExportParameters {
  search?: string;
  subscription_status?: string;
  first_seen_type?: string;
  undeliverable_reason?: string;
  custom_field?: string[];
  order?: string;
}

/** An export as the API shows it. */
export interface ExportView {
  id: number;
  name: string;
  status: repo.ExportStatus;
  parameters: ExportParameters;
  progress: number;
  progress_total: number | null;
  row_count: number | null;
  file_bytes: number | null;
  error: string | null;
  created_by: Actor;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  expires_at: string | null;
  /** Where to fetch the file while it is there (status done). */
  download_url: string | null;
}

/** Validates list parameters exactly as GET /profiles does (same messages), for this company's fields. */
export async function resolveListQuery(database: Database, companyId: number, raw: RawListQuery): Promise<ProfileListQuery> {
  const [context, company] = await Promise.all([customFieldContext(database, companyId), getCompanySettings(database, companyId)]);
  const parsed = parseListQuery(raw, new Map(context.fields.map((f) => [f.id, f])), context.genderOptions, company.default_country as CountryCode);
  if (!parsed.ok) throw invalidInput(parsed.problems);
  return parsed.value;
}

/** Only the keys that decide the rows, empty ones left out; custom_field always a list. */
export function exportParameters(raw: RawListQuery): ExportParameters {
  const out: ExportParameters = {};
  for (const key of ['search', 'subscription_status', 'first_seen_type', 'undeliverable_reason', 'order'] as const) {
    const value = raw[key]?.trim();
    if (value) out[key] = value;
  }
  const conditions = Array.isArray(raw.custom_field) ? raw.custom_field : raw.custom_field ? [raw.custom_field] : [];
  if (conditions.length) out.custom_field = conditions;
  return out;
}

const STATUS_NAMES: Record<string, string> = {
  active: 'active subscribers', former: 'former subscribers', none: 'no subscriptions', opted_out: 'opted out', synced: 'synced', invalid: 'invalid profile data',
};

/** "Profiles", or "Profiles: search “smith”, opted out, first seen CRM, API, 1 custom field condition, oldest first". */
export function defaultExportName(parameters: ExportParameters): string {
  const parts: string[] = [];
  if (parameters.search) parts.push(`search “${parameters.search}”`);
  const status = parameters.subscription_status?.toLowerCase();
  if (status && status !== 'all') parts.push(STATUS_NAMES[status] ?? status);
  if (parameters.first_seen_type) parts.push(`first seen ${parameters.first_seen_type.split(',').map((s) => s.trim()).join(', ')}`);
  if (parameters.undeliverable_reason) parts.push(`undeliverable ${parameters.undeliverable_reason.split(',').map((s) => s.trim()).join(', ')}`);
  const conditions = parameters.custom_field?.length ?? 0;
  if (conditions) parts.push(`${conditions} custom field condition${conditions === 1 ? '' : 's'}`);
  if (parameters.order?.toLowerCase() === 'asc') parts.push('oldest first');
  const name = parts.length ? `Profiles: ${parts.join(', ')}` : 'Profiles';
  return name.length > 200 ? `${name.slice(0, 199)}…` : name;
}

function toView(record: repo.ExportRecord): ExportView {
  return {
    id: record.id,
    name: record.name,
    status: record.status as repo.ExportStatus,
    parameters: JSON.parse(record.parameters) as ExportParameters,
    progress: Number(record.progress),
    progress_total: record.progress_total === null ? null : Number(record.progress_total),
    row_count: record.row_count === null ? null : Number(record.row_count),
    file_bytes: record.file_bytes === null ? null : Number(record.file_bytes),
    error: record.error,
    created_by: { type: record.created_by_type as Actor['type'], id: record.created_by_id === null ? null : Number(record.created_by_id), label: record.created_by_label },
    created_at: record.created_at,
    started_at: record.started_at,
    finished_at: record.finished_at,
    expires_at: record.expires_at,
    download_url: record.status === 'done' ? `/api/v1/exports/${record.id}/download` : null,
  };
}

/**
 * Save as CSV (SPEC §6): checks the parameters as the list would, then records the export and queues its job in one
 * transaction (a worker never sees a job without its export, nor an export without its job), audited.
 */
export async function createExport(database: Database, auth: AuthContext, input: RawListQuery & { name?: string }): Promise<ExportView> {
  const parameters = exportParameters(input);
  await resolveListQuery(database, auth.companyId, parameters);
  const name = input.name?.trim() || defaultExportName(parameters);
  const exportId = await database.db.transaction().execute(async (trx) => {
    const id = await repo.insertExport(trx, auth.companyId, {
      name,
      created_by_type: auth.actor.type,
      created_by_id: auth.actor.id,
      created_by_label: auth.actor.label,
      parameters: JSON.stringify(parameters),
      file_name: newExportFileName(),
      created_at: nowIso(),
    });
    const jobId = await enqueueJob({ db: trx }, auth.companyId, { kind: EXPORT_CSV_JOB, payload: { exportId: id }, maxAttempts: EXPORT_MAX_ATTEMPTS });
    await repo.setJobId(trx, auth.companyId, id, jobId);
    await recordAudit(trx, auth.companyId, auth.actor, [{
      action: 'export.created',
      entityType: 'export',
      entityId: id,
      changes: { name: { before: null, after: name }, parameters: { before: null, after: parameters } },
    }]);
    return id;
  });
  return toView((await repo.findExport(database.db, auth.companyId, exportId))!);
}

/** Deletes the file of a finished export whose time is up and marks it expired; true if it did. */
export async function expireExport(database: Database, settings: ExportSettings, companyId: number, exportId: number, now = nowIso()): Promise<boolean> {
  const record = await repo.findExport(database.db, companyId, exportId);
  if (!record || record.status !== 'done' || record.expires_at === null || record.expires_at > now) return false;
  // Marked first: a download that starts now is refused; one already streaming keeps its open file.
  const expired = await repo.markExpired(database.db, companyId, exportId);
  await removeExportFiles(settings.dataDir, companyId, record.file_name);
  return expired;
}

/**
 * Brings the company's exports up to date before they are shown: files past their time are deleted (the expiry job
 * normally does it at the time; this covers a worker that was down), and exports whose job failed for good without
 * saying so (its worker died on the last attempt) are marked failed, their half-written files removed.
 */
export async function settleExports(database: Database, settings: ExportSettings, companyId: number): Promise<void> {
  const now = nowIso();
  for (const due of await repo.dueForExpiry(database.db, companyId, now)) await expireExport(database, settings, companyId, due.id, now);
  for (const stuck of await repo.unfinishedWithFailedJob(database.db, companyId)) {
    if (await repo.markFailed(database.db, companyId, stuck.id, stuck.error ?? 'The export job failed', now)) {
      await removePartialFiles(settings.dataDir, companyId, stuck.file_name);
    }
  }
}

/** The company's exports, newest first (Reports › Exports). */
export async function listExports(database: Database, settings: ExportSettings, companyId: number, options: { beforeId?: number; limit: number }): Promise<ExportView[]> {
  await settleExports(database, settings, companyId);
  return (await repo.listExports(database.db, companyId, options)).map(toView);
}

export async function getExport(database: Database, settings: ExportSettings, companyId: number, exportId: number): Promise<ExportView> {
  await settleExports(database, settings, companyId);
  const record = await repo.findExport(database.db, companyId, exportId);
  if (!record) throw notFound('Export');
  return toView(record);
}

/** Deletes an export and its file, audited. A job still writing it notices and stops, leaving nothing behind. */
export async function deleteExport(database: Database, settings: ExportSettings, auth: AuthContext, exportId: number): Promise<void> {
  const record = await database.db.transaction().execute(async (trx) => {
    const found = await repo.findExport(trx, auth.companyId, exportId);
    if (!found) throw notFound('Export');
    await repo.deleteExportRow(trx, auth.companyId, exportId);
    await recordAudit(trx, auth.companyId, auth.actor, [{
      action: 'export.deleted',
      entityType: 'export',
      entityId: exportId,
      changes: { name: { before: found.name, after: null }, status: { before: found.status, after: null } },
    }]);
    return found;
  });
  await removeExportFiles(settings.dataDir, auth.companyId, record.file_name);
}

/** An open export file, ready to stream. */
export interface ExportDownload {
  file: FileHandle;
  bytes: number;
  /** For Content-Disposition: ASCII only, from the id and date, never from the export's name. */
  fileName: string;
}

/**
 * Opens a finished export's file for download and records who downloaded it. The file is opened before answering,
 * so an expiry that deletes it meanwhile cannot cut the download short.
 */
export async function openExportDownload(database: Database, settings: ExportSettings, auth: AuthContext, exportId: number, options: { audit: boolean }): Promise<ExportDownload> {
  await settleExports(database, settings, auth.companyId);
  const record = await repo.findExport(database.db, auth.companyId, exportId);
  if (!record) throw notFound('Export');
  if (record.status === 'expired') throw new AppError('conflict', `Export ${exportId} expired${record.expires_at ? ` at ${record.expires_at}` : ''} and its file was deleted; export again to get a new one`, { status: record.status });
  if (record.status !== 'done') {
    throw new AppError('conflict', record.status === 'failed' ? `Export ${exportId} failed, so there is no file: ${record.error ?? 'no reason recorded'}` : `Export ${exportId} is ${record.status}; its file can be downloaded once it is done`, { status: record.status });
  }
  let file: FileHandle;
  try {
    file = await open(exportFilePath(settings.dataDir, auth.companyId, record.file_name), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await repo.markExpired(database.db, auth.companyId, exportId, 'The file was no longer in the data directory');
    throw new AppError('conflict', `Export ${exportId}'s file is no longer in the data directory; export again to get a new one`, { status: 'expired' });
  }
  const bytes = (await file.stat()).size;
  if (options.audit) {
    await recordAudit(database.db, auth.companyId, auth.actor, [{
      action: 'export.downloaded',
      entityType: 'export',
      entityId: exportId,
      changes: { downloaded: { before: null, after: { rows: record.row_count === null ? null : Number(record.row_count), bytes } } },
    }]);
  }
  return { file, bytes, fileName: `roster-profiles-${exportId}-${record.created_at.slice(0, 10)}.csv` };
}
