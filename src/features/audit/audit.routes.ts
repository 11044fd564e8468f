import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { listAudit } from './audit.js';

/** Read access to the audit log, newest first. */
export async function auditRoutes(parent: FastifyInstance, { database }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/audit-log', {
    schema: {
      tags: ['audit log'],
      summary: 'Changes, newest first',
      querystring: z.strictObject({
        entity_type: z.enum(['company', 'user', 'api_key', 'profile', 'custom_field', 'campaign', 'opt_in_path', 'subscription', 'blacklist', 'phone_hash', 'export', 'group', 'upload']).optional(),
        entity_id: z.string().max(64).optional(),
        before_id: z.coerce.number().int().positive().optional().describe('page backwards from this entry id'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
  }, async (request) => {
    const q = request.query;
    const data = await listAudit(database.db, authOf(request).companyId, { entityType: q.entity_type, entityId: q.entity_id, beforeId: q.before_id, limit: q.limit });
    return { data, next_before_id: data.length === q.limit ? data[data.length - 1]!.id : null };
  });
}
