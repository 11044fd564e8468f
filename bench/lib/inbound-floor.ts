import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';

/**
 * The engine floor of bench/inbound.ts: the bare route, except that each webhook's message is durably recorded before
 * the answer — one row (company, sender, body, the gateway's id, unique) in a plain table of its own, nothing else: no
 * signature check, no profile, no conversation, no rules. Texts that arrive together share one INSERT and one commit
 * (group commit, as Roster records its inert texts); on PostgreSQL one batch at a time while the next fills, which was
 * the fastest of 1, 2, 4 and 10 batches at once (2026-11-29: 5,100, 5,000, 4,500 and 4,500 webhooks/s). Roster does
 * all of that and more for every text, so its throughput cannot pass this one on the same machine; the benchmark shows
 * both beside the bare route.
 */
export async function floorServer(databaseUrl: string, listenPort: number): Promise<{ port: number; close: () => Promise<void> }> {
  const record = databaseUrl.startsWith('sqlite:') ? sqliteRecorder(databaseUrl.slice('sqlite:'.length)) : await postgresRecorder(databaseUrl);
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/floor/:company', async (request, reply) => {
    const form = new URLSearchParams(request.body as string);
    await record({ company_id: Number((request.params as { company: string }).company), sender: form.get('From') ?? '', body: form.get('Body') ?? '', sid: form.get('MessageSid') ?? '' });
    return reply.type('text/xml').send('<Response/>');
  });
  await app.listen({ host: '127.0.0.1', port: listenPort });
  return { port: (app.server.address() as { port: number }).port, close: async () => { await app.close(); await record.close(); } };
}

const BATCHES_IN_FLIGHT = 1;

interface Text { company_id: number; sender: string; body: string; sid: string }
type Recorder = ((text: Text) => Promise<void>) & { close: () => Promise<void> };

// Collects what arrives in one turn of the event loop and hands it to `write` as one batch.
function grouped(write: (texts: Text[]) => Promise<void> | void, inFlightLimit: number): (text: Text) => Promise<void> {
  const queue: Array<{ text: Text; done: (error?: unknown) => void }> = [];
  let scheduled = false;
  let inFlight = 0;
  const pump = () => {
    if (scheduled || !queue.length || inFlight >= inFlightLimit) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (queue.length && inFlight < inFlightLimit) {
        const batch = queue.splice(0, 200);
        inFlight++;
        void (async () => write(batch.map((b) => b.text)))().then(() => batch.forEach((b) => b.done()), (error: unknown) => batch.forEach((b) => b.done(error))).finally(() => {
          inFlight--;
          pump();
        });
      }
    });
  };
  return (text) => new Promise<void>((resolve, reject) => {
    queue.push({ text, done: (error) => (error ? reject(error) : resolve()) });
    pump();
  });
}

function sqliteRecorder(file: string): Recorder {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS floor_messages (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, sender TEXT NOT NULL, body TEXT NOT NULL, sid TEXT NOT NULL, UNIQUE (company_id, sid))');
  const insert = db.prepare('INSERT INTO floor_messages (company_id, sender, body, sid) VALUES (@company_id, @sender, @body, @sid) ON CONFLICT DO NOTHING');
  const write = db.transaction((texts: Text[]) => texts.forEach((t) => insert.run(t))).immediate;
  return Object.assign(grouped(write, 1), { close: async () => void db.close() });
}

async function postgresRecorder(url: string): Promise<Recorder> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query('CREATE TABLE IF NOT EXISTS floor_messages (id bigserial PRIMARY KEY, company_id bigint NOT NULL, sender text NOT NULL, body text NOT NULL, sid text NOT NULL, UNIQUE (company_id, sid))');
  const insert = {
    name: 'floor_insert',
    text: `INSERT INTO floor_messages (company_id, sender, body, sid) SELECT company_id, sender, body, sid
      FROM json_to_recordset($1::json) AS t(company_id bigint, sender text, body text, sid text) ON CONFLICT DO NOTHING`,
  };
  const write = async (texts: Text[]) => void (await pool.query({ ...insert, values: [JSON.stringify(texts)] }));
  return Object.assign(grouped(write, BATCHES_IN_FLIGHT), { close: () => pool.end() });
}
