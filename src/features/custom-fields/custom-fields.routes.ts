import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { FIELD_TYPES } from './field-types.js';
import * as service from './custom-fields.service.js';

const fieldView = z.object({
  id: z.number(),
  name: z.string(),
  field_type: z.enum(FIELD_TYPES),
  position: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});

// The type is checked by the service so the error can list the accepted types in Roster's own words.
const fieldType = z.string().max(40).describe(`one of ${FIELD_TYPES.join(', ')}`);

/** Custom field definitions (SPEC §2). */
export async function customFieldsRoutes(parent: FastifyInstance, { database }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/custom-fields', { schema: { tags: ['custom fields'], summary: 'List custom fields in definition order', response: { 200: z.object({ data: z.array(fieldView) }) } } }, async (request) => ({
    data: await service.listCustomFields(database, authOf(request).companyId),
  }));
  app.post('/custom-fields', {
    config: { minRole: 'admin' },
    schema: { tags: ['custom fields'], summary: 'Define a custom field', body: z.strictObject({ name: z.string().max(1000), field_type: fieldType }), response: { 201: fieldView } },
  }, async (request, reply) => reply.status(201).send(await service.createCustomField(database, authOf(request), request.body)));
  app.patch('/custom-fields/:id', {
    config: { minRole: 'admin' },
    schema: {
      tags: ['custom fields'],
      summary: 'Rename, re-order, or change the type of an unused field',
      params: idParams,
      body: z.strictObject({ name: z.string().max(1000).optional(), field_type: fieldType.optional(), position: z.number().int().min(0).max(1_000_000).optional() }),
      response: { 200: fieldView },
    },
  }, async (request) => service.updateCustomField(database, authOf(request), request.params.id, request.body));
  app.delete('/custom-fields/:id', {
    config: { minRole: 'admin' },
    schema: { tags: ['custom fields'], summary: 'Delete a field and all its values', params: idParams },
  }, async (request, reply) => {
    await service.deleteCustomField(database, authOf(request), request.params.id);
    return reply.status(204).send();
  });
}
