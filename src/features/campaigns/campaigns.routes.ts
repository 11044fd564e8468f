import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import * as service from './campaigns.service.js';
import { SUBSCRIPTION_STATES } from './subscriptions.service.js';

/** A subscription as every route shows it, the profile JSON's `subscriptions` included. */
export const subscriptionView = z.object({
  id: z.number(),
  profile_id: z.number(),
  campaign_id: z.number(),
  campaign_name: z.string(),
  campaign_status: z.enum(['active', 'ended']),
  status: z.enum(SUBSCRIPTION_STATES),
  opt_in_path_id: z.number().nullable(),
  opt_in_path_name: z.string().nullable(),
  activated_at: z.string().nullable(),
  opted_out_at: z.string().nullable(),
  opt_out_source: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const campaignView = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(['active', 'ended']),
  created_at: z.string(),
  updated_at: z.string(),
  ended_at: z.string().nullable(),
});

const campaignDetail = campaignView.extend({
  subscriptions: z.object(Object.fromEntries(SUBSCRIPTION_STATES.map((s) => [s, z.number()])) as Record<(typeof SUBSCRIPTION_STATES)[number], z.ZodNumber>)
    .describe('how many subscriptions the campaign has in each status'),
});

const optInPathView = z.object({
  id: z.number(),
  campaign_id: z.number(),
  name: z.string(),
  keywords: z.array(z.string()).describe('upper case, as matched: any case, trailing punctuation ignored'),
  double_opt_in: z.boolean(),
  welcome_message: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const subscribeResult = z.object({
  outcome: z.enum(['subscribed', 'pending', 'already_subscribed', 'profile_opted_out'])
    .describe('already_subscribed and profile_opted_out change nothing (SPEC §3: subscribing an existing or opted-out subscriber does nothing)'),
  subscription: subscriptionView.nullable(),
});

const paging = {
  page: z.coerce.number().int().min(1).max(10_000_000).optional(),
  per_page: z.coerce.number().int().min(1).max(250).optional().describe('1 to 250; 50 by default'),
};

// Lengths and forms are checked by the service so every problem is reported at once in Roster's words.
const pathBody = z.strictObject({
  name: z.string().max(1000),
  keywords: z.array(z.string().max(200)).max(200).optional().describe('one word each, letters and digits; unique in the company, any case; never a STOP, START or HELP word'),
  double_opt_in: z.boolean().optional().describe('subscriptions stay pending until the person replies YES'),
  welcome_message: z.string().max(10_000).nullable().optional(),
});

/** Campaigns, opt-in paths and subscriptions (SPEC §3). */
export async function campaignsRoutes(parent: FastifyInstance, { database }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaigns'];

  app.get('/campaigns', {
    schema: { tags, summary: 'List campaigns, newest first', querystring: z.strictObject({ status: z.string().max(20).optional().describe('active or ended') }), response: { 200: z.object({ data: z.array(campaignView) }) } },
  }, async (request) => ({ data: await service.listCampaigns(database, authOf(request).companyId, request.query.status) }));

  app.post('/campaigns', {
    schema: { tags, summary: 'Create a campaign (active)', body: z.strictObject({ name: z.string().max(1000), description: z.string().max(10_000).nullable().optional() }), response: { 201: campaignView } },
  }, async (request, reply) => reply.status(201).send(await service.createCampaign(database, authOf(request), request.body)));

  app.get('/campaigns/:id', {
    schema: { tags, summary: 'One campaign with its subscription counts', params: idParams, response: { 200: campaignDetail } },
  }, async (request) => service.getCampaign(database, authOf(request).companyId, request.params.id));

  app.patch('/campaigns/:id', {
    schema: { tags, summary: 'Rename or describe a campaign', params: idParams, body: z.strictObject({ name: z.string().max(1000).optional(), description: z.string().max(10_000).nullable().optional() }), response: { 200: campaignView } },
  }, async (request) => service.updateCampaign(database, authOf(request), request.params.id, request.body));

  app.post('/campaigns/:id/end', {
    schema: { tags, summary: 'End a campaign: no new subscriptions; its subscribers leave the Active subscribers filter', params: idParams, response: { 200: campaignView } },
  }, async (request) => service.endCampaign(database, authOf(request), request.params.id));

  app.delete('/campaigns/:id', {
    config: { minRole: 'admin' },
    schema: { tags, summary: 'Delete a campaign that never had a subscription (409 otherwise: end it instead)', params: idParams },
  }, async (request, reply) => {
    await service.deleteCampaign(database, authOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get('/campaigns/:id/subscriptions', {
    schema: {
      tags,
      summary: 'A campaign\'s subscriptions with who they are, newest first',
      params: idParams,
      querystring: z.strictObject({ status: z.string().max(20).optional().describe(SUBSCRIPTION_STATES.join(', ')), ...paging }),
      response: {
        200: z.object({
          data: z.array(subscriptionView.extend({ phone_number: z.string().nullable(), first_name: z.string().nullable(), last_name: z.string().nullable() })),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
        }),
      },
    },
  }, async (request) => service.listCampaignSubscriptions(database, authOf(request).companyId, request.params.id, request.query));

  app.post('/campaigns/:id/subscriptions', {
    schema: {
      tags,
      summary: 'Subscribe a profile (201 when a subscription is made, 200 when nothing changes)',
      params: idParams,
      body: z.strictObject({
        profile_id: z.number().int().positive(),
        opt_in_path_id: z.number().int().positive().nullable().optional().describe('one of this campaign\'s opt-in paths'),
        confirmed: z.boolean().optional().describe('active at once even on a double opt-in path (the person already said YES)'),
      }),
      response: { 200: subscribeResult, 201: subscribeResult },
    },
  }, async (request, reply) => {
    const result = await service.subscribeProfile(database, authOf(request), request.params.id, request.body);
    return reply.status(result.outcome === 'subscribed' || result.outcome === 'pending' ? 201 : 200).send(result);
  });

  app.get('/subscriptions/:id', {
    schema: { tags, summary: 'One subscription', params: idParams, response: { 200: subscriptionView } },
  }, async (request) => service.getSubscription(database, authOf(request).companyId, request.params.id));

  app.post('/subscriptions/:id/remove', {
    schema: { tags, summary: 'Staff remove a subscription (status removed); one already ended is answered unchanged', params: idParams, response: { 200: subscriptionView } },
  }, async (request) => service.removeSubscription(database, authOf(request), request.params.id));

  app.get('/opt-in-paths', {
    schema: { tags, summary: 'Opt-in paths, of one campaign or all', querystring: z.strictObject({ campaign_id: z.coerce.number().int().positive().optional() }), response: { 200: z.object({ data: z.array(optInPathView) }) } },
  }, async (request) => ({ data: await service.listOptInPaths(database, authOf(request).companyId, request.query.campaign_id) }));

  app.post('/campaigns/:id/opt-in-paths', {
    schema: { tags, summary: 'Add an opt-in path to an active campaign', params: idParams, body: pathBody, response: { 201: optInPathView } },
  }, async (request, reply) => reply.status(201).send(await service.createOptInPath(database, authOf(request), request.params.id, request.body)));

  app.get('/opt-in-paths/:id', {
    schema: { tags, summary: 'One opt-in path', params: idParams, response: { 200: optInPathView } },
  }, async (request) => service.getOptInPath(database, authOf(request).companyId, request.params.id));

  app.patch('/opt-in-paths/:id', {
    schema: { tags, summary: 'Change an opt-in path; keywords, when given, replace all of its keywords', params: idParams, body: pathBody.partial(), response: { 200: optInPathView } },
  }, async (request) => service.updateOptInPath(database, authOf(request), request.params.id, request.body));

  app.delete('/opt-in-paths/:id', {
    schema: { tags, summary: 'Delete an opt-in path nobody subscribed through (409 otherwise: remove its keywords instead)', params: idParams },
  }, async (request, reply) => {
    await service.deleteOptInPath(database, authOf(request), request.params.id);
    return reply.status(204).send();
  });
}
