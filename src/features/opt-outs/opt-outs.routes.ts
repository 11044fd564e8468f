import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { profileView } from '../profiles/profiles.routes.js';
import { STAFF_OPT_OUT_REASONS } from '../profiles/profile-rules.js';
import * as service from './opt-outs.service.js';

const blacklistEntry = z.object({
  id: z.number(),
  phone_number: z.string().describe('E.164'),
  note: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
});

/** Profile-level opt-outs, the blacklist and Manual Opt-Out of numbers (SPEC §3). */
export async function optOutsRoutes(parent: FastifyInstance, { database }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['opt-outs'];

  app.post('/profiles/:id/opt-out', {
    schema: {
      tags,
      summary: 'Opt a profile out of everything (ends its subscriptions)',
      params: idParams,
      body: z.strictObject({ reason: z.string().max(100).optional().describe(`${STAFF_OPT_OUT_REASONS.join(', ')}; Opt-out from profile by default`) }).nullish(),
      response: { 200: profileView },
    },
  }, async (request) => service.optOutFromStaff(database, authOf(request), request.params.id, request.body?.reason));

  app.post('/profiles/:id/opt-in-again', {
    schema: {
      tags,
      summary: 'Undo a staff opt-out (Opt-out from profile, Opt-out from Inbox, Manual Opt-Out) and bring back the subscriptions it ended; 409 for any other reason',
      params: idParams,
      response: { 200: profileView },
    },
  }, async (request) => service.optInAgain(database, authOf(request), request.params.id));

  app.post('/opt-outs', {
    schema: {
      tags,
      summary: 'Manual Opt-Out of numbers: each profile is opted out; a number with no profile is recorded (hashed) so it is never texted and starts opted out if it becomes a profile',
      body: z.strictObject({ phone_numbers: z.array(z.string().max(200)).min(1).max(service.MAX_MANUAL_OPT_OUTS).describe('phone numbers in any written form') }),
      response: {
        200: z.object({
          data: z.array(z.object({
            phone_number: z.string().describe('as given'),
            outcome: z.enum(['opted_out', 'already_opted_out', 'suppressed', 'rejected']),
            e164: z.string().nullable(),
            profile_id: z.number().nullable(),
            message: z.string().nullable().describe('why a number was rejected'),
          })),
        }),
      },
    },
  }, async (request) => {
    const auth = authOf(request);
    return { data: await service.manualOptOut(database, auth.companyId, auth.actor, request.body.phone_numbers) };
  });

  app.get('/blacklist', {
    schema: {
      tags,
      summary: 'The company\'s blacklisted numbers, newest first',
      querystring: z.strictObject({ page: z.coerce.number().int().min(1).max(10_000_000).optional(), per_page: z.coerce.number().int().min(1).max(250).optional().describe('1 to 250; 50 by default') }),
      response: { 200: z.object({ data: z.array(blacklistEntry), page: z.number(), per_page: z.number(), total: z.number() }) },
    },
  }, async (request) => service.listBlacklist(database, authOf(request).companyId, request.query));

  app.get('/blacklist/:id', {
    schema: { tags, summary: 'One blacklisted number', params: idParams, response: { 200: blacklistEntry } },
  }, async (request) => service.getBlacklistEntry(database, authOf(request).companyId, request.params.id));

  app.post('/blacklist', {
    config: { minRole: 'admin' },
    schema: {
      tags,
      summary: 'Blacklist a number: its profile is opted out as Blacklisted, now or when created (201 added, 200 already there)',
      body: z.strictObject({ phone_number: z.string().max(200).describe('any written form'), note: z.string().max(10_000).nullable().optional() }),
      response: { 200: z.object({ entry: blacklistEntry, profile_id: z.number().nullable() }), 201: z.object({ entry: blacklistEntry, profile_id: z.number().nullable() }) },
    },
  }, async (request, reply) => {
    const { created, entry, profile_id } = await service.addToBlacklist(database, authOf(request), request.body);
    return reply.status(created ? 201 : 200).send({ entry, profile_id });
  });

  app.delete('/blacklist/:id', {
    config: { minRole: 'admin' },
    schema: { tags, summary: 'Take a number off the blacklist; a profile opted out only for that is opted in again', params: idParams },
  }, async (request, reply) => {
    await service.removeFromBlacklist(database, authOf(request), request.params.id);
    return reply.status(204).send();
  });
}
