import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { subscriptionView } from '../campaigns/campaigns.routes.js';
import { READ_ONLY_FIELDS, WRITABLE_FIELD_LIMITS } from './profile-input.js';
import { SOURCE_TYPES } from './profile-rules.js';
import * as service from './profiles.service.js';
import { groupListScope } from '../groups/groups.service.js';
import { listProfiles } from './profile-list.service.js';
import { PER_PAGE_CHOICES, STATUS_FILTERS } from './profile-list-query.js';
import { OPT_OUT_REASONS } from './profile-rules.js';

// Types are checked here; lengths, formats and custom-field values by the service, which every write path shares.
const nullableText = (description: string) => z.string().nullable().optional().describe(description);
const writable = Object.fromEntries(
  Object.entries(WRITABLE_FIELD_LIMITS).map(([field, max]) => [field, nullableText(`at most ${max} characters; null or "" clears it`)]),
) as Record<keyof typeof WRITABLE_FIELD_LIMITS, ReturnType<typeof nullableText>>;
const readOnly = Object.fromEntries(READ_ONLY_FIELDS.map((f) => [f, z.never({ error: 'is set by Roster and cannot be written' }).optional()]));
const customFields = z
  .record(z.string().max(200), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .optional()
  .describe('custom field values by field name; null clears one');

const profileBody = z.strictObject({
  phone_number: z.string().describe('mobile number in any written form; read with the company default country when it has no +country code'),
  ...writable,
  custom_fields: customFields,
  ...readOnly,
});
const patchBody = profileBody.partial({ phone_number: true });

/** A profile as every route shows it. */
export const profileView = z.object({
  id: z.number(),
  phone_number: z.string().nullable(),
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  street1: z.string().nullable(),
  street2: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  postal_code: z.string().nullable(),
  country: z.string().nullable(),
  congressional_district: z.string().nullable(),
  state_upper_district: z.string().nullable(),
  state_lower_district: z.string().nullable(),
  split_district: z.boolean().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  precision: z.string().nullable(),
  geocoded_city: z.string().nullable(),
  geocoded_state: z.string().nullable(),
  geocoded_postal_code: z.string().nullable(),
  geocoded_country: z.string().nullable(),
  carrier_name: z.string().nullable(),
  created_at: z.string().describe('First seen date'),
  source_type: z.string().describe(`First seen type: ${SOURCE_TYPES.join(', ')}`),
  source_name: z.string().nullable(),
  opted_out_at: z.string().nullable(),
  opted_out_source: z.string().nullable(),
  updated_at: z.string(),
  status: z.string(),
  description: z.string().nullable(),
  custom_fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  subscriptions: z.array(subscriptionView).describe('every subscription of the profile, oldest first'),
});

/** The Profiles list's query parameters (GET /profiles, and a group's members). */
export const profileListQuerystring = z.strictObject({
  search: z.string().max(200).optional().describe('part of a first or last name, email, or phone number in any written form'),
  subscription_status: z.string().max(40).optional().describe(`one of ${Object.keys(STATUS_FILTERS).join(', ')}`),
  first_seen_type: z.string().max(400).optional().describe(`comma-separated: ${SOURCE_TYPES.join(', ')}`),
  undeliverable_reason: z.string().max(400).optional().describe(`comma-separated: ${OPT_OUT_REASONS.join(', ')}`),
  custom_field: z.union([z.string().max(1000), z.array(z.string().max(1000)).max(20)]).optional()
    .describe('repeatable <field id>:<op>[:<value>]; op eq, contains, empty, lt, gt, between (a,b), in (a|b)'),
  order: z.string().max(10).optional().describe('desc (default: newest first seen first) or asc'),
  page: z.coerce.number().int().min(1).max(10_000_000).optional(),
  per_page: z.coerce.number().int().optional().describe(`one of ${PER_PAGE_CHOICES.join(', ')}`),
  cursor: z.string().max(500).optional().describe('next_cursor or prev_cursor of the page beside the one asked for'),
});

/** One page of the Profiles list. */
export const profilePageResponse = z.object({
  data: z.array(profileView),
  page: z.number(),
  per_page: z.number(),
  total: z.number(),
  next_cursor: z.string().nullable(),
  prev_cursor: z.string().nullable(),
});

/** Profiles (SPEC §2): upsert by phone number, read, look up, change, delete. */
export async function profilesRoutes(parent: FastifyInstance, { database }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post('/profiles', {
    schema: {
      tags: ['profiles'],
      summary: 'Create or update a profile by phone number (201 created, 200 updated)',
      body: profileBody,
      response: { 200: profileView, 201: profileView },
    },
  }, async (request, reply) => {
    const { created, profile } = await service.upsertProfile(database, authOf(request), request.body);
    return reply.status(created ? 201 : 200).send(profile);
  });

  app.get('/profiles', {
    schema: {
      tags: ['profiles'],
      summary: 'The Profiles table: search, filters, first-seen order, pages and the exact total',
      querystring: profileListQuerystring.extend({
        group_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('only the profiles of this group (its members, or what its saved filter matches)'),
      }),
      response: { 200: profilePageResponse },
    },
  }, async (request) => {
    const { group_id: groupId, ...query } = request.query;
    const { companyId } = authOf(request);
    return listProfiles(database, companyId, query, groupId === undefined ? {} : await groupListScope(database, companyId, groupId));
  });

  app.get('/profiles/lookup', {
    schema: {
      tags: ['profiles'],
      summary: 'Find a profile by any written form of its phone number',
      querystring: z.strictObject({ phone_number: z.string().max(200) }),
      response: { 200: profileView },
    },
  }, async (request) => service.lookupProfile(database, authOf(request).companyId, request.query.phone_number));

  app.get('/profiles/:id', { schema: { tags: ['profiles'], summary: 'One profile', params: idParams, response: { 200: profileView } } }, async (request) =>
    service.getProfile(database, authOf(request).companyId, request.params.id),
  );

  app.patch('/profiles/:id', {
    schema: { tags: ['profiles'], summary: 'Change some fields of a profile', params: idParams, body: patchBody, response: { 200: profileView } },
  }, async (request) => service.patchProfile(database, authOf(request), request.params.id, request.body));

  app.delete('/profiles/:id', {
    config: { minRole: 'admin' },
    schema: { tags: ['profiles'], summary: 'Erase a profile (its number is kept hashed with its opt-out state)', params: idParams },
  }, async (request, reply) => {
    await service.deleteProfile(database, authOf(request), request.params.id);
    return reply.status(204).send();
  });
}
