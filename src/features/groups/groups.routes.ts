import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { profileListQuerystring, profilePageResponse } from '../profiles/profiles.routes.js';
import { OPT_OUT_REASONS, SOURCE_TYPES } from '../profiles/profile-rules.js';
import { STATUS_FILTERS } from '../profiles/profile-list-query.js';
import * as service from './groups.service.js';

/** A filtered group's saved filter: the GET /profiles parameters, same names and value formats. */
const filterSchema = z.strictObject({
  search: z.string().max(200).optional().describe('as GET /profiles'),
  subscription_status: z.string().max(40).optional().describe(`one of ${Object.keys(STATUS_FILTERS).join(', ')}`),
  first_seen_type: z.string().max(400).optional().describe(`comma-separated: ${SOURCE_TYPES.join(', ')}`),
  undeliverable_reason: z.string().max(400).optional().describe(`comma-separated: ${OPT_OUT_REASONS.join(', ')}`),
  custom_field: z.union([z.string().max(1000), z.array(z.string().max(1000)).max(20)]).optional().describe('as GET /profiles: <field id>:<op>[:<value>], one or a list'),
});

const groupView = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.enum(['uploaded', 'filtered']),
  filter: z.object({
    search: z.string().optional(),
    subscription_status: z.string().optional(),
    first_seen_type: z.string().optional(),
    undeliverable_reason: z.string().optional(),
    custom_field: z.array(z.string()).optional(),
  }).nullable().describe('a filtered group’s saved search and filters (GET /profiles parameters); null for an uploaded group'),
  member_count: z.number().describe('uploaded: its members; filtered: the profiles its filter matches now'),
  created_at: z.string(),
  updated_at: z.string(),
});

const memberIds = z.strictObject({
  profile_ids: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(service.MAX_MEMBER_IDS).describe('profile ids of this company'),
});

/** Groups (SPEC §7): uploaded (static members) and filtered (a saved search + filters). */
export async function groupsRoutes(parent: FastifyInstance, { database }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.get('/groups', {
    schema: {
      tags: ['groups'],
      summary: 'The groups, newest first',
      querystring: z.strictObject({
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        per_page: z.coerce.number().int().min(1).max(250).default(25),
        kind: z.enum(['uploaded', 'filtered']).optional(),
      }),
      response: { 200: z.object({ data: z.array(groupView), page: z.number(), per_page: z.number(), total: z.number() }) },
    },
  }, async (request) => service.listGroups(database, authOf(request).companyId, { kind: request.query.kind, page: request.query.page, perPage: request.query.per_page }));

  app.post('/groups', {
    schema: {
      tags: ['groups'],
      summary: 'Create a group: uploaded (members added by upload or by id) or filtered (a saved search + filters)',
      body: z.strictObject({
        name: z.string().max(1000).describe('unique in the company, ignoring case and repeated spaces; at most 200 characters'),
        kind: z.enum(['uploaded', 'filtered']),
        filter: filterSchema.nullable().optional().describe('required for a filtered group'),
      }),
      response: { 201: groupView },
    },
  }, async (request, reply) => {
    const created = await service.createGroup(database, authOf(request), request.body);
    return reply.status(201).header('location', `/api/v1/groups/${created.id}`).send(created);
  });

  app.get('/groups/:id', {
    schema: { tags: ['groups'], summary: 'One group', params: idParams, response: { 200: groupView } },
  }, async (request) => service.getGroup(database, authOf(request).companyId, request.params.id));

  app.patch('/groups/:id', {
    schema: {
      tags: ['groups'],
      summary: 'Rename a group, or change a filtered group’s filter',
      params: idParams,
      body: z.strictObject({ name: z.string().max(1000).optional(), filter: filterSchema.optional().describe('filtered groups only') }),
      response: { 200: groupView },
    },
  }, async (request) => service.updateGroup(database, authOf(request), request.params.id, request.body));

  app.delete('/groups/:id', {
    schema: { tags: ['groups'], summary: 'Delete a group (its profiles stay)', params: idParams },
  }, async (request, reply) => {
    await service.deleteGroup(database, authOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get('/groups/:id/members', {
    schema: {
      tags: ['groups'],
      summary: 'The group’s profiles: the Profiles list (same parameters and answer), scoped to the group',
      params: idParams,
      querystring: profileListQuerystring,
      response: { 200: profilePageResponse },
    },
  }, async (request) => service.listMembers(database, authOf(request).companyId, request.params.id, request.query));

  app.post('/groups/:id/members', {
    schema: { tags: ['groups'], summary: 'Add profiles to an uploaded group (409 for a filtered group)', params: idParams, body: memberIds, response: { 200: z.object({ added: z.number() }) } },
  }, async (request) => service.addMembers(database, authOf(request), request.params.id, request.body.profile_ids));

  app.delete('/groups/:id/members', {
    schema: { tags: ['groups'], summary: 'Remove profiles from an uploaded group; the profiles stay (409 for a filtered group)', params: idParams, body: memberIds, response: { 200: z.object({ removed: z.number() }) } },
  }, async (request) => service.removeMembers(database, authOf(request), request.params.id, request.body.profile_ids));
}
