import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { countCompanies, createCompany } from './features/accounts/accounts.service.js';
import { exportJobHandlers } from './features/exports/exports.jobs.js';
import { uploadJobHandlers } from './features/uploads/uploads.jobs.js';
import { builtinJobHandlers, jobHandlers, type JobHandlers } from './jobs/handlers.js';
import { JobWorker } from './jobs/worker.js';

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel });
}

/** Opens the configured database and brings its schema up to date. */
export async function openMigrated(config: Config, logger: Logger): Promise<Database> {
  const database = openDatabase(config.databaseUrl);
  const applied = await migrate(database);
  if (applied.length) logger.info({ applied }, 'database migrated');
  return database;
}

/** Every job kind this release runs: the built-in ones and each feature's. */
export function allJobHandlers(config: Config, database: Database): JobHandlers {
  return jobHandlers(builtinJobHandlers, exportJobHandlers({ database, settings: config }), uploadJobHandlers({ database, settings: config }));
}

/** On an empty database, creates a company and an admin; answers what to tell the person, once. */
async function firstStart(database: Database): Promise<((url: string) => string) | undefined> {
  if ((await countCompanies(database)) > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  const email = 'admin@roster.local';
  const { companyId, apiKey } = await createCompany(database, { name: 'My organisation', adminEmail: email, adminPassword: password });
  return (url) =>
    [
      '',
      '  Roster is set up. This is shown once, so keep it somewhere safe:',
      `    URL:       ${url}`,
      `    Login:     ${email}`,
      `    Password:  ${password}`,
      `    API key:   ${apiKey}   (company ${companyId}; send it as Authorization: Bearer <key>)`,
      `  Load demo data with: npx roster demo --company ${companyId} --profiles 10000`,
      '',
      '',
    ].join('\n');
}

/** `roster serve`: HTTP server plus (by default) an in-process job worker, until SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<{ close: () => Promise<void>; port: number }> {
  const logger = createLogger(config);
  const database = await openMigrated(config, logger);
  const welcome = await firstStart(database);
  const app = await buildApp(config, { database, logger });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const worker = config.inProcessWorker ? new JobWorker({ database, handlers: allJobHandlers(config, database), logger }) : undefined;
  worker?.start();
  const url = `http://${config.host}:${port}/`;
  if (welcome) process.stdout.write(welcome(url));
  logger.info({ url, engine: database.engine }, 'Roster is listening');
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await worker?.stop();
      await app.close();
      await database.close();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void close().then(() => process.exit(0)));
  return { close, port };
}

/** `roster worker`: runs jobs only, until SIGINT/SIGTERM. */
export async function runWorker(config: Config): Promise<void> {
  const logger = createLogger(config);
  const database = await openMigrated(config, logger);
  const worker = new JobWorker({ database, handlers: allJobHandlers(config, database), logger });
  worker.start();
  logger.info({ workerId: worker.workerId, engine: database.engine }, 'worker started');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await worker.stop();
  await database.close();
}
