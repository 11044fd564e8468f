import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorView } from '../audit/audit.routes.js';
import type { RouteContext } from '../../app.js';
import { AppError } from '../../errors.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { csvRecord, neutraliseCell } from '../exports/csv-cells.js';
import { newStoredName, uploadFilePath } from './upload-files.js';
import * as service from './uploads.service.js';

const uploadView = z.object({
  id: z.number(),
  file_name: z.string(),
  group_id: z.number().nullable(),
  group_name: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  phase: z.string().describe('staging (reading and checking the file), merging (writing profiles) or finished'),
  error: z.string().nullable().describe('why the upload failed (nothing of the file was imported)'),
  bytes_total: z.number(),
  bytes_done: z.number().describe('bytes of the file read so far'),
  rows_done: z.number().describe('data rows of the file read so far'),
  progress: z.number().describe('0 to 1 over the whole job'),
  counts: z.object({
    rows: z.number().describe('data rows in the file (blank lines not counted)'),
    created: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    rejected: z.number().describe('rows not written, duplicates included; rows = created + updated + unchanged + rejected'),
    duplicates: z.number().describe('of the rejected rows, those whose number appears again later in the file (the later row is used)'),
  }),
  mapping: z.record(z.string(), z.string().nullable()).describe('column header → field key (null: skipped)'),
  encoding: z.string().nullable(),
  delimiter: z.string().nullable(),
  created_by: actorView,
  created_at: z.string(),
  finished_at: z.string().nullable(),
  rejected_url: z.string().nullable().describe('the rejected-rows report (CSV), once done'),
});

const previewView = z.object({
  encoding: z.enum(['utf-8', 'windows-1252']),
  delimiter: z.string(),
  columns: z.array(z.object({ index: z.number(), header: z.string(), field: z.string().nullable() })),
  rows: z.array(z.array(z.string())),
  fields: z.array(z.object({ key: z.string(), label: z.string() })),
});

// Uploads write profiles and their reports repeat personal data: editors and admins only.
const EDITORS = { minRole: 'editor' } as const;

function multipartError(error: unknown, maxBytes: number): never {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('payload_too_large', `The file is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB accepted (ROSTER_UPLOAD_MAX_MB)`, { field: 'file' });
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data with a part named "file"');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new AppError('invalid_input', 'Too many parts: send group_name, mapping (optional) and one file');
  throw error;
}

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of stream) { /* discard */ }
}

/** CSV upload (SPEC §7): preview, upload, progress, the rejected-rows report. */
export async function uploadsRoutes(parent: FastifyInstance, { database, config }: RouteContext): Promise<void> {
  // Multipart only where files are sent; every other route keeps JSON bodies.
  await parent.register(async (scoped) => {
    await scoped.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 1024 * 1024, parts: 20 } });
    const app = scoped.withTypeProvider<ZodTypeProvider>();

    app.post('/uploads/preview', {
      config: EDITORS,
      schema: {
        tags: ['uploads'],
        summary: 'Preview a CSV: its encoding, separator, columns with the proposed field, and first 10 rows (multipart: file — the first ≤ 1 MB is enough)',
        consumes: ['multipart/form-data'],
        response: { 200: previewView },
      },
    }, async (request: FastifyRequest) => {
      const { companyId } = authOf(request);
      let file;
      try {
        file = await request.file({ limits: { fileSize: service.SAMPLE_BYTES * 2 } });
      } catch (error) {
        multipartError(error, service.SAMPLE_BYTES * 2);
      }
      if (!file || file.fieldname !== 'file') throw new AppError('invalid_input', 'Send the file as a multipart part named "file"', { field: 'file' });
      let sample: Buffer;
      try {
        sample = await file.toBuffer();
      } catch (error) {
        multipartError(error, service.SAMPLE_BYTES * 2);
      }
      return service.previewUpload(database, companyId, sample, sample.length < service.SAMPLE_BYTES);
    });

    app.post('/uploads', {
      config: EDITORS,
      schema: {
        tags: ['uploads'],
        summary: 'Upload a CSV into a group (multipart: group_name, optional mapping JSON {header: field key | null}, then file); 201, processed in the background',
        consumes: ['multipart/form-data'],
        response: { 201: uploadView },
      },
    }, async (request: FastifyRequest, reply) => {
      const auth = authOf(request);
      let groupName: unknown;
      let mappingText: string | undefined;
      let stored: { fileName: string; storedName: string; path: string } | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file' || stored) {
              await drain(part.file);
              throw new AppError('invalid_input', `Unexpected file part ${JSON.stringify(part.fieldname)} (accepted: one part named "file")`, { field: part.fieldname });
            }
            const storedName = newStoredName();
            const path = uploadFilePath(config.dataDir, auth.companyId, storedName);
            await mkdir(dirname(path), { recursive: true });
            stored = { fileName: part.filename, storedName, path };
            // Streamed to disk as it arrives: never held whole in memory.
            await pipeline(part.file, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
          } else if (part.fieldname === 'group_name') {
            groupName = part.value;
          } else if (part.fieldname === 'mapping') {
            mappingText = String(part.value);
          } else {
            throw new AppError('invalid_input', `Unexpected field ${JSON.stringify(part.fieldname)} (accepted: group_name, mapping, file)`, { field: part.fieldname });
          }
        }
        if (!stored) throw new AppError('invalid_input', 'No file: send the CSV as a multipart part named "file"', { field: 'file' });
        if (groupName === undefined || String(groupName).trim() === '') throw service.missingGroupName();
        let mapping: Record<string, unknown> | undefined;
        if (mappingText !== undefined && mappingText.trim() !== '') {
          try {
            mapping = JSON.parse(mappingText) as Record<string, unknown>;
          } catch {
            mapping = undefined;
          }
          if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
            throw new AppError('invalid_input', 'mapping must be a JSON object of {"<column header>": "<field key>" or null}', { fields: [{ field: 'mapping', value: mappingText.slice(0, 200), message: 'is not a JSON object (accepted: {"Mobile": "phone_number", "Notes": null})' }] });
          }
        }
        const created = await service.createUpload(database, auth.companyId, auth.actor, { ...stored, groupName, mapping });
        return reply.status(201).header('location', `/api/v1/uploads/${created.id}`).send(created);
      } catch (error) {
        // Nothing was recorded: the file must not linger in the data directory.
        if (stored) await service.removeUploadFile(stored.path);
        multipartError(error, config.uploadMaxBytes);
      }
    });
  });

  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.get('/uploads', {
    config: EDITORS,
    schema: {
      tags: ['uploads'],
      summary: 'The uploads, newest first',
      querystring: z.strictObject({
        before_id: z.coerce.number().int().positive().optional().describe('page backwards from this upload id'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ data: z.array(uploadView), next_before_id: z.number().nullable() }) },
    },
  }, async (request) => {
    const { before_id: beforeId, limit } = request.query;
    const data = await service.listUploads(database, authOf(request).companyId, { beforeId, limit });
    return { data, next_before_id: data.length === limit ? data[data.length - 1]!.id : null };
  });

  app.get('/uploads/:id', {
    config: EDITORS,
    schema: { tags: ['uploads'], summary: 'One upload: status, progress and counts', params: idParams, response: { 200: uploadView } },
  }, async (request) => service.getUpload(database, authOf(request).companyId, request.params.id));

  app.get('/uploads/:id/rejected', {
    config: EDITORS,
    schema: { tags: ['uploads'], summary: 'The rejected-rows report: row_number,column,value,reason (CSV; 409 until the upload is done)', params: idParams, produces: ['text/csv'] },
  }, async (request, reply) => {
    const { companyId } = authOf(request);
    const upload = await service.getUpload(database, companyId, request.params.id);
    if (upload.status !== 'done') throw new AppError('conflict', `Upload ${upload.id} is ${upload.status}; its rejected-rows report is ready once it is done`, { status: upload.status });
    const lines = (async function* () {
      let header = true;
      for await (const cells of service.rejectedReport(database, companyId, upload.id)) {
        // The report repeats what people typed: neutralised like exports, so a spreadsheet never runs it.
        yield csvRecord(header ? cells : cells.map(neutraliseCell));
        header = false;
      }
    })();
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="roster-upload-${upload.id}-rejected.csv"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(Readable.from(lines));
  });
}
