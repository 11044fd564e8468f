import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { listAudit } from './audit.js';

/** Who did something, as every API answer shows it (audit entries, exports, uploads). */
export const actorView = z.object({ type: z.enum(['user', 'api_key', 'system']), id: z.number().nullable(), label: z.string() });

const auditEntry = z.object({
  id: z.number(),
  created_at: z.string(),
  actor: actorView,
  action: z.string().describe('what happened, e.g. profile.updated'),
  entity_type: z.string(),
  entity_id: z.string().nullable(),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).describe('field → its value before and after'),
});

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
      response: { 200: z.object({ data: z.array(auditEntry), next_before_id: z.number().nullable().describe('pass as before_id for the next page') }) },
    },
  }, async (request) => {
    const q = request.query;
    const data = await listAudit(database.db, authOf(request).companyId, { entityType: q.entity_type, entityId: q.entity_id, beforeId: q.before_id, limit: q.limit });
    return { data, next_before_id: data.length === q.limit ? data[data.length - 1]!.id : null };
  });
}
