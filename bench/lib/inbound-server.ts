/**
 * The server side of bench/inbound.ts, in a process of its own as in production, so the load generator in the parent
 * does not share its thread: either Roster's HTTP app as `roster serve` builds it (without the job worker), configured
 * from the environment the parent passes, or a bare Fastify route answering 200 to the same form-encoded requests.
 * Usage: node --import tsx bench/lib/inbound-server.ts roster|bare|floor   (PORT and ROSTER_* from the environment)
 * Prints one JSON line, { port }, once listening; exits on SIGTERM.
 */
import Fastify from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { floorServer } from './inbound-floor.js';

const mode = process.argv[2];
const config = loadConfig();
let close: () => Promise<void>;
let port: number;
if (mode === 'bare') {
  const bare = Fastify({ logger: false });
  bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  bare.post('/bare', async (_request, reply) => reply.type('text/xml').send('<Response/>'));
  await bare.listen({ host: '127.0.0.1', port: config.port });
  port = (bare.server.address() as { port: number }).port;
  close = () => bare.close();
} else if (mode === 'floor') {
  ({ port, close } = await floorServer(config.databaseUrl, config.port));
} else if (mode === 'roster') {
  const database = openDatabase(config.databaseUrl);
  const app = await buildApp(config, { database });
  await app.listen({ host: '127.0.0.1', port: config.port });
  port = (app.server.address() as { port: number }).port;
  close = async () => {
    await app.close();
    await database.close();
  };
} else {
  throw new Error('usage: inbound-server.ts roster|bare|floor');
}
process.once('SIGTERM', () => void close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ port })}\n`);
