import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { responseSerializerCompiler } from './http/serializer.js';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { AppError } from './errors.js';
import { errorHandler } from './http/errors.js';
import { registerAuth } from './http/auth.js';
import { accountsRoutes } from './features/accounts/accounts.routes.js';
import { auditRoutes } from './features/audit/audit.routes.js';
import { campaignsRoutes } from './features/campaigns/campaigns.routes.js';
import { customFieldsRoutes } from './features/custom-fields/custom-fields.routes.js';
import { exportsRoutes } from './features/exports/exports.routes.js';
import { createSmsGateway, type SmsGateway } from './features/messaging/gateways/index.js';
import { messagesRoutes } from './features/messaging/messages.routes.js';
import { Messaging } from './features/messaging/messaging.service.js';
import { groupsRoutes } from './features/groups/groups.routes.js';
import { uploadsRoutes } from './features/uploads/uploads.routes.js';
import { optOutsRoutes } from './features/opt-outs/opt-outs.routes.js';
import { profilesRoutes } from './features/profiles/profiles.routes.js';

export interface AppDeps {
  database: Database;
  logger?: Logger | boolean;
  /** The SMS gateway; by default the one the configuration names (tests pass a simulator they hold). */
  gateway?: SmsGateway;
}

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves once every reply dispatched so far has been handed to the gateway. */
    messagingIdle(): Promise<void>;
  }
}


/** Builds the HTTP application; never listens (server.ts does). */
export async function buildApp(config: Config, deps: AppDeps): Promise<App> {
  const app = Fastify({
    ...(typeof deps.logger === 'object' ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: deps.logger ?? false }),
    // Large enough that an over-long field gets a 422 naming it rather than a bare 413.
    bodyLimit: 4 * 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // The web app routes in the browser: any other GET page gets its shell.
    if (request.method === 'GET' && !path.startsWith('/api/') && existsSync(WEB_INDEX)) return reply.sendFile('index.html');
    const error = new AppError('not_found', `No route ${request.method} ${path}`);
    return reply.status(404).send({ error: { code: error.code, message: error.message, details: {} } });
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Roster API', version: '1', description: 'Profiles database for SMS programs. Authenticate with `Authorization: Bearer <api key>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerAuth(app, deps.database);

  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await serveWebApp(app);
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));

  const ctx = { database: deps.database, config };
  const messaging = new Messaging(deps.database, deps.gateway ?? createSmsGateway(config.sms), config.sms.publicUrl);
  app.addHook('onClose', async () => messaging.close());
  messaging.startSweeper();
  if (config.deactivationFeed) {
    messaging.startDeactivationFeed((days) => {
      for (const day of days) if (day.outcome !== 'already_done') app.log.info({ deactivationFeed: day }, 'deactivation feed');
    });
  }
  // Replies are handed to the gateway after the webhook answered; tests wait for those handoffs through this.
  app.decorate('messagingIdle', () => messaging.idle());
  await app.register(async (api) => {
    await accountsRoutes(api, ctx);
    await auditRoutes(api, ctx);
    await customFieldsRoutes(api, ctx);
    await profilesRoutes(api, ctx);
    await campaignsRoutes(api, ctx);
    await optOutsRoutes(api, ctx);
    await exportsRoutes(api, ctx);
    await messagesRoutes(api, ctx, messaging);
    await groupsRoutes(api, ctx);
    await uploadsRoutes(api, ctx);
  }, { prefix: '/api/v1' });
  return app as unknown as App;
}

const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
const WEB_INDEX = `${WEB_DIST}index.html`;

/** Serves the built React app (npm run build) at /; without a build, / points at the API reference. */
async function serveWebApp(app: FastifyInstance): Promise<void> {
  if (!existsSync(WEB_INDEX)) {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs'));
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIST, wildcard: true, index: 'index.html' });
}

/** What every feature's routes receive. */
export interface RouteContext {
  database: Database;
  config: Config;
}
