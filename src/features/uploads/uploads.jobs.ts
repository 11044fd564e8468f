import { access } from 'node:fs/promises';
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import type { JobHandlers } from '../../jobs/handlers.js';
import { type JobContext, PermanentJobError } from '../../jobs/worker.js';
import { uploadFilePath } from './upload-files.js';
import * as repo from './uploads.repository.js';
import { markFailed, processUpload, removeUploadFile, UPLOAD_JOB, type UploadSettings } from './uploads.service.js';

export interface UploadJobOptions {
  database: Database;
  settings: UploadSettings;
}

const payloadSchema = z.object({ uploadId: z.number().int().positive() });

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * `uploads.process`: runs one upload (uploads.service processUpload: staging, then merging in batches that commit
 * their counts with their rows, so a retry after a crash resumes without counting a row twice). The stored file is
 * removed once the upload is done or failed.
 */
async function runUpload(options: UploadJobOptions, ctx: JobContext): Promise<unknown> {
  const parsed = payloadSchema.safeParse(ctx.payload);
  if (!parsed.success) throw new PermanentJobError(`invalid ${ctx.kind} payload: ${z.prettifyError(parsed.error)}`);
  const { uploadId } = parsed.data;
  const { database, settings } = options;
  const record = await repo.findUpload(database.db, ctx.companyId, uploadId);
  if (!record) return { uploadId, outcome: 'deleted' };
  const path = uploadFilePath(settings.dataDir, ctx.companyId, record.stored_name);
  if (record.status !== 'done' && record.status !== 'failed') {
    try {
      await access(path);
    } catch {
      await markFailed(database, ctx.companyId, uploadId, 'The uploaded file is no longer in the data directory; upload it again');
      return { uploadId, outcome: 'failed' };
    }
  }
  try {
    const view = await processUpload(database, ctx.companyId, uploadId, path, {
      signal: ctx.signal,
      onProgress: (v) => ctx.reportProgress(Math.round(v.progress * 1000), 1000),
    });
    await removeUploadFile(path);
    return { uploadId, outcome: view.status, counts: view.counts };
  } catch (error) {
    if (!ctx.signal.aborted && ctx.attempt >= ctx.maxAttempts) {
      await markFailed(database, ctx.companyId, uploadId, `The upload stopped: ${describe(error)}`);
      await removeUploadFile(path);
    }
    throw error;
  }
}

/** The uploads feature's job handlers, for the worker (server.ts). */
export function uploadJobHandlers(options: UploadJobOptions): JobHandlers {
  return { [UPLOAD_JOB]: (ctx) => runUpload(options, ctx) };
}
