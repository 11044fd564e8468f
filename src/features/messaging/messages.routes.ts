import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../../app.js';
import { AppError, notFound } from '../../errors.js';
import { authOf } from '../../http/auth.js';
import { idParams } from '../../http/schemas.js';
import { nowIso } from '../../time.js';
import { SimulatorGateway } from './gateways/simulator.js';
import { formParams, parseInboundWebhook, parseStatusCallback, type TwilioWebhookParams, validateTwilioSignature } from './gateways/twilio.js';
import { MESSAGE_INTENTS, MESSAGE_STATUSES } from './message-rules.js';
import { dismissPossibleOptOut, inbox, type Messaging, profileMessages, simulatorThread } from './messaging.service.js';

/** A message as every route shows it. */
export const messageView = z.object({
  id: z.number(),
  profile_id: z.number(),
  direction: z.enum(['inbound', 'outbound']),
  body: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  error_code: z.string().nullable().describe("the gateway's error code of a failed or undelivered message (Twilio's, e.g. 30005), or not_textable"),
  error_message: z.string().nullable(),
  carrier_name: z.string().nullable(),
  possible_opt_out: z.boolean().describe('an inbound message that contains an opt-out phrase, for a person to look at'),
  intent: z.enum(MESSAGE_INTENTS).nullable().describe('inbound: what it asked for; outbound: what it answers, null when staff wrote it'),
  campaign_id: z.number().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const inboundResult = z.object({ message: messageView, profile_id: z.number(), profile_created: z.boolean(), replies: z.array(messageView) });
const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Messages (SPEC §4): the phone simulator, a profile's conversation and sending, the Inbox, and the gateways' webhooks. */
export async function messagesRoutes(parent: FastifyInstance, { database, config }: RouteContext, messaging: Messaging): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['messages'];
  const simulatorEnabled = () => messaging.gateway instanceof SimulatorGateway;

  app.get('/simulator', {
    schema: { tags, summary: 'Whether the phone simulator is on (the simulator is the configured gateway)', response: { 200: z.object({ enabled: z.boolean(), gateway: z.enum(['simulator', 'twilio']) }) } },
  }, async () => ({ enabled: simulatorEnabled(), gateway: config.sms.kind }));

  app.post('/simulator/messages', {
    schema: {
      tags,
      summary: 'Text the company as any number: handled exactly as a gateway\'s inbound webhook (409 simulator_disabled unless the simulator is the gateway)',
      body: z.strictObject({ from: z.string().max(200).describe('a phone number in any written form'), body: z.string().max(1600) }),
      response: { 200: inboundResult },
    },
  }, async (request) => {
    if (!(messaging.gateway instanceof SimulatorGateway)) throw new AppError('simulator_disabled', `The phone simulator is off: the SMS gateway is ${config.sms.kind} (ROSTER_SMS_GATEWAY)`);
    const auth = authOf(request);
    const result = await messaging.handleInbound(auth.companyId, messaging.gateway.inbound({ from: request.body.from, body: request.body.body }));
    return { message: result.message, profile_id: result.profileId, profile_created: result.profileCreated, replies: await result.handoffs };
  });

  app.get('/simulator/messages', {
    schema: {
      tags,
      summary: 'The phone simulator\'s thread with a number, oldest first (the latest 200; empty when no profile has the number)',
      querystring: z.strictObject({ number: z.string().max(200).describe('a phone number in any written form') }),
      response: { 200: z.object({ data: z.array(messageView) }) },
    },
  }, async (request) => ({ data: await simulatorThread(database, authOf(request).companyId, request.query.number) }));

  app.get('/profiles/:id/messages', {
    schema: {
      tags,
      summary: 'A profile\'s conversation, newest first, with whether it may be texted now',
      params: idParams,
      querystring: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).optional().describe('1 to 200; 50 by default'),
        before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('a message id: the page of older messages (next_before of the previous page)'),
      }),
      response: {
        200: z.object({ data: z.array(messageView), next_before: z.number().nullable(), textable: z.boolean(), untextable_reason: z.string().nullable() }),
      },
    },
  }, async (request) => profileMessages(database, authOf(request).companyId, request.params.id, request.query));

  app.post('/profiles/:id/messages', {
    schema: {
      tags,
      summary: 'Text a profile (chat); 409 not_textable, with the reason, when it may not be texted',
      params: idParams,
      body: z.strictObject({ body: z.string().max(10_000).describe('at most 1600 characters') }),
      response: { 201: messageView },
    },
  }, async (request, reply) => {
    const auth = authOf(request);
    return reply.status(201).send(await messaging.sendMessage(auth.companyId, auth.actor, request.params.id, request.body.body));
  });

  app.get('/inbox', {
    schema: {
      tags,
      summary: 'Recent conversations, latest first; possible_opt_out=true for those with a possible opt-out to look at',
      querystring: z.strictObject({
        page: z.coerce.number().int().min(1).max(10_000_000).optional(),
        per_page: z.coerce.number().int().min(1).max(250).optional().describe('1 to 250; 50 by default'),
        possible_opt_out: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
      }),
      response: {
        200: z.object({
          data: z.array(z.object({
            profile_id: z.number(),
            phone_number: z.string().nullable(),
            first_name: z.string().nullable(),
            last_name: z.string().nullable(),
            status: z.string(),
            description: z.string().nullable(),
            last_message: messageView,
            possible_opt_out: z.boolean(),
          })),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
        }),
      },
    },
  }, async (request) => inbox(database, authOf(request).companyId, request.query));

  app.post('/messages/:id/dismiss-possible-opt-out', {
    schema: { tags, summary: 'Mark a possible opt-out as looked at: not an opt-out', params: idParams, response: { 200: messageView } },
  }, async (request) => {
    const auth = authOf(request);
    return dismissPossibleOptOut(database, auth.companyId, auth.actor, request.params.id);
  });

  // Twilio's webhooks: public (Twilio holds no session), form-encoded, and trusted only with a valid X-Twilio-Signature.
  await app.register(async (plugin) => {
    const hooks = plugin.withTypeProvider<ZodTypeProvider>();
    hooks.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, formParams(body as string));
    });
    const webhookParams = z.strictObject({ companyId: idParams.shape.id });

    /** Checks the signature over ROSTER_PUBLIC_URL + the path before anything is read or written; answers the params. */
    async function verified(request: FastifyRequest, companyId: number): Promise<TwilioWebhookParams> {
      if (config.sms.kind !== 'twilio') throw notFound('Twilio webhook (the SMS gateway is not Twilio)');
      const params = (request.body ?? {}) as TwilioWebhookParams;
      const signature = request.headers['x-twilio-signature'];
      const url = `${config.sms.publicUrl ?? ''}${request.url}`;
      if (typeof request.body !== 'object' || !validateTwilioSignature(config.sms.twilio.authToken, url, params, typeof signature === 'string' ? signature : undefined)) {
        throw new AppError('forbidden', 'The X-Twilio-Signature header is missing or does not match this request');
      }
      // An unknown company: the inbound path answers 404 (it reads the company first); a status report finds no message.
      void companyId;
      return params;
    }
    const twiml = (reply: FastifyReply) => reply.status(200).type('text/xml').send(TWIML_EMPTY);

    hooks.post('/gateways/twilio/:companyId/inbound', {
      config: { public: true },
      schema: { tags: ['webhooks'], summary: 'Twilio\'s inbound message webhook (signed); answers empty TwiML', security: [], params: webhookParams },
    }, async (request, reply) => {
      const companyId = request.params.companyId;
      const params = await verified(request, companyId);
      await messaging.handleInbound(companyId, parseInboundWebhook(params, nowIso()));
      return twiml(reply);
    });

    hooks.post('/gateways/twilio/:companyId/status', {
      config: { public: true },
      schema: {
        tags: ['webhooks'],
        summary: 'Twilio\'s status callback (signed); answers empty TwiML',
        security: [],
        params: webhookParams,
        querystring: z.object({ message: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }),
      },
    }, async (request, reply) => {
      const companyId = request.params.companyId;
      const params = await verified(request, companyId);
      await messaging.applyDeliveryReport(companyId, parseStatusCallback(params), request.query.message);
      return twiml(reply);
    });
  });
}
