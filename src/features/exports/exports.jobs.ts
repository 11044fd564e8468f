import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { JobHandlers } from '../../jobs/handlers.js';
import { enqueueJob } from '../../jobs/queue.js';
import { type JobContext, PermanentJobError, WorkerStoppingError } from '../../jobs/worker.js';
import { nowIso } from '../../time.js';
import { countMatching } from '../profiles/profile-list.repository.js';
import { exportFilePath, partialFilePath, publishFile, removePartialFiles, writeFileFully } from './export-files.js';
import { writeProfilesCsv } from './export-writer.js';
import * as repo from './exports.repository.js';
import { EXPORT_CSV_JOB, EXPORT_EXPIRE_JOB, type ExportParameters, type ExportSettings, expireExport, resolveListQuery } from './exports.service.js';

export interface ExportJobOptions {
  database: Database;
  settings: ExportSettings;
  chunkRows?: number;
  /** Tests only: runs after each chunk is on disk (e.g. a delay, so a test can kill the worker mid-export). */
  afterChunk?: (exportId: number, rowsWritten: number) => Promise<void>;
}

const payloadSchema = z.object({ exportId: z.number().int().positive() });

// Progress is written at most this often: a handful of single-row updates per second, whatever the chunk size.
const PROGRESS_INTERVAL_MS = 500;

/** This attempt no longer owns the export: it was deleted, or a newer attempt took it over. */
class ExportNotOwned extends Error {}

function exportIdOf(ctx: JobContext): number {
  const parsed = payloadSchema.safeParse(ctx.payload);
  if (!parsed.success) throw new PermanentJobError(`invalid ${ctx.kind} payload: ${z.prettifyError(parsed.error)}`);
  return parsed.data.exportId;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * `exports.csv`: writes one export's file. Idempotent and restartable: every attempt starts from scratch (a profile
 * list has no stable resume point: rows may have changed since), removing any earlier attempt's half-written file;
 * the file appears under its final name only when complete and flushed to disk, and only then is the export marked
 * done, in the same transaction that schedules its expiry. Every write to the export's row is fenced on this
 * attempt's run token, so an attempt that lost its lease cannot touch the row of the attempt that took over.
 */
async function writeExportFile(options: ExportJobOptions, ctx: JobContext): Promise<unknown> {
  const { database, settings } = options;
  const { companyId } = ctx;
  const exportId = exportIdOf(ctx);
  const record = await repo.findExport(database.db, companyId, exportId);
  if (!record) return { exportId, outcome: 'deleted' };
  if (!repo.UNFINISHED.includes(record.status as repo.ExportStatus)) return { exportId, outcome: record.status };
  const runToken = `${ctx.jobId}:${ctx.attempt}:${randomBytes(6).toString('hex')}`;
  if (!(await repo.markRunning(database.db, companyId, exportId, nowIso(), runToken))) return { exportId, outcome: 'deleted' };

  const finalPath = exportFilePath(settings.dataDir, companyId, record.file_name);
  try {
    // A killed attempt's half-written file (its name differs from this attempt's).
    await removePartialFiles(settings.dataDir, companyId, record.file_name);
    let query;
    try {
      query = await resolveListQuery(database, companyId, JSON.parse(record.parameters) as ExportParameters);
    } catch (error) {
      // E.g. a custom field in a condition was deleted after the export was asked for: retrying cannot help.
      if (error instanceof AppError) throw new PermanentJobError(`The export's filters are no longer valid: ${error.message}`);
      throw error;
    }
    const total = await countMatching(database, companyId, query);
    await ctx.reportProgress(0, total);
    if (!(await repo.setProgress(database.db, companyId, exportId, runToken, 0, total))) throw new ExportNotOwned();

    let reportedAt = Date.now();
    const partial = partialFilePath(settings.dataDir, companyId, record.file_name);
    // writeFileFully removes the partial file on any error.
    const { result: rows, bytes } = await writeFileFully(partial, (write) =>
      writeProfilesCsv(database, companyId, query, write, {
        chunkRows: options.chunkRows,
        signal: ctx.signal,
        onChunk: async (done) => {
          await options.afterChunk?.(exportId, done);
          if (Date.now() - reportedAt < PROGRESS_INTERVAL_MS) return;
          reportedAt = Date.now();
          // Rows can be added while the export runs, so the total grows with them rather than passing 100 %.
          const shownTotal = Math.max(total, done);
          await ctx.reportProgress(done, shownTotal);
          if (!(await repo.setProgress(database.db, companyId, exportId, runToken, done, shownTotal))) throw new ExportNotOwned();
        },
      }),
    );
    // Still this attempt's job? Throws if the lease passed to another worker, which then owns the export.
    await ctx.reportProgress(rows, rows);
    await publishFile(partial, finalPath);
    const finishedAt = nowIso();
    const expiresAt = new Date(Date.parse(finishedAt) + settings.exportTtlMs).toISOString();
    const done = await database.db.transaction().execute(async (trx) => {
      if (!(await repo.markDone(trx, companyId, exportId, runToken, { rows, bytes, finishedAt, expiresAt }))) return false;
      await enqueueJob({ db: trx }, companyId, { kind: EXPORT_EXPIRE_JOB, payload: { exportId }, runAt: expiresAt });
      return true;
    });
    if (!done) throw new ExportNotOwned();
    return { exportId, outcome: 'done', rows, bytes };
  } catch (error) {
    if (error instanceof ExportNotOwned) {
      // Deleted meanwhile: nothing of it may stay. (Taken over: the new attempt's files are its own business.)
      if (!(await repo.findExport(database.db, companyId, exportId))) await rm(finalPath, { force: true });
      return { exportId, outcome: 'no longer this attempt’s (deleted or taken over)' };
    }
    if (ctx.signal.aborted) {
      // Lost lease: the new owner carries on. Shutdown: the job is queued again, so the export says so too.
      if (ctx.signal.reason instanceof WorkerStoppingError) await repo.markQueued(database.db, companyId, exportId, runToken, null);
      throw error;
    }
    // Deleted while this attempt failed for another reason (e.g. its file was removed under it): nothing to report.
    if (!(await repo.findExport(database.db, companyId, exportId))) return { exportId, outcome: 'deleted' };
    const final = error instanceof PermanentJobError || ctx.attempt >= ctx.maxAttempts;
    if (final) await repo.markFailed(database.db, companyId, exportId, describe(error), nowIso(), runToken);
    else await repo.markQueued(database.db, companyId, exportId, runToken, `Attempt ${ctx.attempt} of ${ctx.maxAttempts} failed (${describe(error)}); trying again`);
    throw error;
  }
}

/** `exports.expire`: deletes a finished export's file at its expiry time (idempotent; the file may already be gone). */
async function expireExportFile(options: ExportJobOptions, ctx: JobContext): Promise<unknown> {
  const exportId = exportIdOf(ctx);
  return { exportId, expired: await expireExport(options.database, options.settings, ctx.companyId, exportId) };
}

/** The exports feature's job handlers, for the worker (server.ts). */
export function exportJobHandlers(options: ExportJobOptions): JobHandlers {
  return {
    [EXPORT_CSV_JOB]: (ctx) => writeExportFile(options, ctx),
    [EXPORT_EXPIRE_JOB]: (ctx) => expireExportFile(options, ctx),
  };
}
