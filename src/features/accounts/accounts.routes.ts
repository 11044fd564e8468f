import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorView } from '../audit/audit.routes.js';
import type { RouteContext } from '../../app.js';
import { authOf, SESSION_COOKIE } from '../../http/auth.js';
import { idParams, roleSchema } from '../../http/schemas.js';
import * as accounts from './accounts.service.js';

const userView = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  disabled_at: z.string().nullable(),
});

const apiKeyView = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  role: z.string(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

const companyView = z.object({
  id: z.number(),
  name: z.string(),
  default_country: z.string(),
  gender_options: z.array(z.string()),
  help_text: z.string().nullable().describe('the answer to HELP; null: the built-in text'),
  stop_reply: z.string().nullable().describe('the one confirmation sent after a STOP; null: the built-in text; "": none'),
  created_at: z.string(),
  updated_at: z.string(),
});

const password = z.string().min(8, 'must be at least 8 characters').max(1024);

/** Login sessions, the company's settings, users and API keys. */
export async function accountsRoutes(parent: FastifyInstance, { database, config }: RouteContext): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.post('/session', {
    config: { public: true },
    schema: {
      tags: ['session'],
      summary: 'Log in with email and password; sets the session cookie',
      security: [],
      body: z.strictObject({ email: z.string().max(320), password: z.string().max(1024) }),
    },
  }, async (request, reply) => {
    const session = await accounts.login(database, request.body.email, request.body.password, config.sessionTtlMs);
    reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      path: '/',
      maxAge: Math.floor(config.sessionTtlMs / 1000),
    });
    return { user: session.user, company_id: session.companyId, csrf_token: session.csrfToken };
  });

  app.get('/session', {
    schema: {
      tags: ['session'],
      summary: 'Who is logged in (or which key is used)',
      response: {
        200: z.object({
          actor: actorView,
          role: roleSchema,
          company: z.object({ id: z.number(), name: z.string() }),
          csrf_token: z.string().nullable().describe('send as X-CSRF-Token with each change made with the session cookie; null with an API key'),
        }),
      },
    },
  }, async (request) => {
    const auth = authOf(request);
    const company = await accounts.getCompanySettings(database, auth.companyId);
    return { actor: auth.actor, role: auth.role, company: { id: company.id, name: company.name }, csrf_token: auth.csrfToken ?? null };
  });

  app.delete('/session', { config: { minRole: 'viewer' }, schema: { tags: ['session'], summary: 'Log out' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await accounts.logout(database, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/company', { schema: { tags: ['company'], summary: 'Company settings', response: { 200: companyView } } }, async (request) =>
    accounts.getCompanySettings(database, authOf(request).companyId),
  );

  app.patch('/company', {
    config: { minRole: 'admin' },
    schema: {
      tags: ['company'],
      summary: 'Change company settings',
      body: z.strictObject({
        name: z.string().trim().min(1).max(200).optional(),
        default_country: z.string().max(8).optional().describe('ISO 3166-1 alpha-2 country used to read numbers written without a country code'),
        gender_options: z.array(z.string().max(100)).min(1).max(50).optional(),
        help_text: z.string().max(10_000).nullable().optional().describe('the answer to HELP (at most 1600 characters); null or "" for the built-in text'),
        stop_reply: z.string().max(10_000).nullable().optional().describe('the confirmation of a STOP (at most 1600 characters); null for the built-in text, "" to send none'),
      }),
      response: { 200: companyView },
    },
  }, async (request) => accounts.updateCompanySettings(database, authOf(request), request.body));

  app.get('/users', { config: { minRole: 'admin' }, schema: { tags: ['users'], summary: 'List users', response: { 200: z.object({ data: z.array(userView) }) } } }, async (request) => ({
    data: await accounts.listUsers(database, authOf(request).companyId),
  }));

  app.post('/users', {
    config: { minRole: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Create a user',
      body: z.strictObject({ email: z.email().max(320), password, role: roleSchema, name: z.string().max(200).nullable().optional() }),
      response: { 201: userView },
    },
  }, async (request, reply) => reply.status(201).send(await accounts.createUser(database, authOf(request), request.body)));

  app.patch('/users/:id', {
    config: { minRole: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Change a user (name, role, password, disabled)',
      params: idParams,
      body: z.strictObject({ name: z.string().max(200).nullable().optional(), role: roleSchema.optional(), password: password.optional(), disabled: z.boolean().optional() }),
      response: { 200: userView },
    },
  }, async (request) => accounts.updateUser(database, authOf(request), request.params.id, request.body));

  app.get('/api-keys', { config: { minRole: 'admin' }, schema: { tags: ['api keys'], summary: 'List API keys (never their secrets)', response: { 200: z.object({ data: z.array(apiKeyView) }) } } }, async (request) => ({
    data: await accounts.listApiKeys(database, authOf(request).companyId),
  }));

  app.post('/api-keys', {
    config: { minRole: 'admin' },
    schema: {
      tags: ['api keys'],
      summary: 'Create an API key; the key is shown in this answer only',
      body: z.strictObject({ name: z.string().trim().min(1).max(200), role: roleSchema.default('editor') }),
      response: { 201: apiKeyView.extend({ key: z.string() }) },
    },
  }, async (request, reply) => reply.status(201).send(await accounts.createApiKey(database, authOf(request), request.body)));

  app.delete('/api-keys/:id', {
    config: { minRole: 'admin' },
    schema: { tags: ['api keys'], summary: 'Revoke an API key', params: idParams, response: { 200: apiKeyView } },
  }, async (request) => accounts.revokeApiKey(database, authOf(request), request.params.id));
}
