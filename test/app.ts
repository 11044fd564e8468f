import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../src/app.js';
import type { SmsGateway } from '../src/features/messaging/gateways/index.js';
import { loadConfig } from '../src/config.js';
import type { Database, Engine } from '../src/db/database.js';
import { createCompany } from '../src/features/accounts/accounts.service.js';
import { freshDatabase } from './db.js';

export interface TestCompany {
  companyId: number;
  apiKey: string;
  adminEmail: string;
  adminPassword: string;
}

export interface TestApp {
  app: App;
  database: Database;
  /** Creates a company with an admin user and admin API key. */
  company(name?: string): Promise<TestCompany>;
  /** An API request with a bearer key; body is sent as JSON. */
  call(key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

let counter = 0;

/** A real app over a fresh, migrated database of the engine; `env` adds configuration (e.g. the Twilio stand-in), `gateway` a gateway the test holds. */
export async function testApp(engine: Engine, options: { env?: Record<string, string>; gateway?: SmsGateway } = {}): Promise<TestApp> {
  const database = await freshDatabase(engine);
  // The hourly deactivation feed is driven by its own tests (test/api/deactivations.test.ts), not by a timer.
  const config = loadConfig({ ROSTER_DATABASE_URL: 'sqlite::memory:', ROSTER_LOG_LEVEL: 'silent', ROSTER_DEACTIVATION_FEED: 'false', ...options.env });
  const app = await buildApp(config, { database, ...(options.gateway ? { gateway: options.gateway } : {}) });
  await app.ready();
  return {
    app,
    database,
    async company(name = 'Test org') {
      counter += 1;
      const adminEmail = `admin${counter}-${process.pid}-${Date.now()}@example.org`;
      const adminPassword = 'correct horse battery staple';
      const created = await createCompany(database, { name, adminEmail, adminPassword });
      return { companyId: created.companyId, apiKey: created.apiKey, adminEmail, adminPassword };
    },
    call(key, method, url, body) {
      return app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(body === undefined ? {} : { payload: body as object }) });
    },
  };
}
