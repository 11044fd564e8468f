import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorView } from '../audit/audit.routes.js';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { OPT_OUT_REASONS, SOURCE_TYPES } from '../profiles/profile-rules.js';
import { STATUS_FILTERS } from '../profiles/profile-list-query.js';
import * as service from './exports.service.js';

const parametersView = z.object({
  search: z.string().optional(),
  subscription_status: z.string().optional(),
  first_seen_type: z.string().optional(),
  undeliverable_reason: z.string().optional(),
  custom_field: z.array(z.string()).optional(),
  order: z.string().optional(),
});

/** An export as every route shows it. */
const exportView = z.object({
  id: z.number(),
  name: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed', 'expired']),
  parameters: parametersView.describe('the Profiles list parameters the export was made with'),
  progress: z.number().describe('rows written so far'),
  progress_total: z.number().nullable().describe('rows to write (the matching profiles when the export started)'),
  row_count: z.number().nullable().describe('rows in the file, once done'),
  file_bytes: z.number().nullable(),
  error: z.string().nullable().describe('why it failed, or why an attempt is being retried'),
  created_by: actorView,
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  expires_at: z.string().nullable().describe('when the file is deleted'),
  download_url: z.string().nullable(),
});

// Exports copy personal data out of Roster: editors and admins only, reading the list included (SPEC §1: viewers have no exports).
const EDITORS = { minRole: 'editor' } as const;

/** Save as CSV and Reports › Exports (SPEC §6). */
export async function exportsRoutes(parent: FastifyInstance, { database, config }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post('/exports', {
    config: EDITORS,
    // A POST with no body at all exports every profile, as GET /profiles without parameters does.
    preValidation: async (request) => {
      (request as { body: unknown }).body ??= {};
    },
    schema: {
      tags: ['exports'],
      summary: 'Save as CSV: export every profile the Profiles list shows for these parameters, in its order (202: the file is written in the background)',
      body: z.strictObject({
        name: z.string().max(200).optional().describe('shown in the Exports table; by default it describes the search and filters'),
        search: z.string().max(200).optional().describe('as GET /profiles'),
        subscription_status: z.string().max(40).optional().describe(`one of ${Object.keys(STATUS_FILTERS).join(', ')}`),
        first_seen_type: z.string().max(400).optional().describe(`comma-separated: ${SOURCE_TYPES.join(', ')}`),
        undeliverable_reason: z.string().max(400).optional().describe(`comma-separated: ${OPT_OUT_REASONS.join(', ')}`),
        custom_field: z.union([z.string().max(1000), z.array(z.string().max(1000)).max(20)]).optional().describe('as GET /profiles: <field id>:<op>[:<value>], one or a list'),
        order: z.string().max(10).optional().describe('desc (default: newest first seen first) or asc'),
        page: z.number().int().min(1).optional().describe('accepted for convenience and ignored: an export has every page'),
        per_page: z.number().int().optional().describe('accepted for convenience and ignored: an export has every page'),
      }).default({}),
      response: { 202: exportView },
    },
  }, async (request, reply) => {
    const created = await service.createExport(database, authOf(request), request.body);
    return reply.status(202).header('location', `/api/v1/exports/${created.id}`).send(created);
  });

  app.get('/exports', {
    config: EDITORS,
    schema: {
      tags: ['exports'],
      summary: 'The exports, newest first (Reports › Exports)',
      querystring: z.strictObject({
        before_id: z.coerce.number().int().positive().optional().describe('page backwards from this export id'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ data: z.array(exportView), next_before_id: z.number().nullable() }) },
    },
  }, async (request) => {
    const { before_id: beforeId, limit } = request.query;
    const data = await service.listExports(database, config, authOf(request).companyId, { beforeId, limit });
    return { data, next_before_id: data.length === limit ? data[data.length - 1]!.id : null };
  });

  app.get('/exports/:id', {
    config: EDITORS,
    schema: { tags: ['exports'], summary: 'One export, with its progress', params: idParams, response: { 200: exportView } },
  }, async (request) => service.getExport(database, config, authOf(request).companyId, request.params.id));

  app.get('/exports/:id/download', {
    config: EDITORS,
    schema: {
      tags: ['exports'],
      summary: 'The export’s CSV file (RFC 4180, UTF-8), once it is done and until it expires (409 otherwise)',
      params: idParams,
      produces: ['text/csv'],
    },
  }, async (request, reply) => {
    const download = await service.openExportDownload(database, config, authOf(request), request.params.id, { audit: request.method === 'GET' });
    const stream = download.file.createReadStream();
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-length', download.bytes)
      .header('content-disposition', `attachment; filename="${download.fileName}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(stream);
  });

  app.delete('/exports/:id', {
    config: EDITORS,
    schema: { tags: ['exports'], summary: 'Delete an export and its file (stops it if it is still being written)', params: idParams },
  }, async (request, reply) => {
    await service.deleteExport(database, config, authOf(request), request.params.id);
    return reply.status(204).send();
  });
}
