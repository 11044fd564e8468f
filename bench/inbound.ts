import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createCompany } from '../src/features/accounts/accounts.service.js';
import { SYSTEM_ACTOR } from '../src/features/audit/audit.js';
import { createCampaign, createOptInPath } from '../src/features/campaigns/campaigns.service.js';
import { textTable } from './lib/latency.js';
import { type Benchmark, type BenchContext, type BenchResult, measurement } from './lib/types.js';

/**
 * Inbound webhook throughput (SPEC §4, issue 4): autocannon over loopback posts signed Twilio inbound-message webhooks
 * to the real server (`roster serve`'s app on the engine, in a process of its own, its Twilio gateway pointed at the
 * stand-in on 127.0.0.1, in a third process, which also receives the replies and posts their status callbacks back), and
 * the same requests to a bare Fastify route that only answers 200 (also in a process of its own), in the same run, and
 * to the engine floor (bench/lib/inbound-floor.ts): the bare route recording each webhook as one row of a plain table
 * of the same database before it answers, the least any server that keeps what it was sent can do.
 * Requests mix STOP (10%), an opt-in keyword with a welcome message (20%) and plain messages (70%) from a pool of
 * 500 numbers, so the run includes new profiles, opt-outs, subscriptions and replies; every request has its own MessageSid and a valid X-Twilio-Signature (the bare side gets
 * the same requests, so signing costs both sides alike).
 *
 * Goals: throughput ≥ 40% of the bare route's; p99 latency ≤ 50 ms.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = join(ROOT, 'bench/lib/inbound-server.ts');
const STAND_IN = join(ROOT, 'bench/lib/twilio-stand-in-server.ts');

/** A free loopback port, so ROSTER_PUBLIC_URL (which Twilio signs) is known before the server listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const GOAL_SHARE = 0.4;
const GOAL_P99_MS = 50;
const SECONDS = 10;
const CONNECTIONS = 10;
const NUMBERS = 500;

function sign(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

type SideName = 'bare' | 'floor' | 'roster';

/**
 * Lets PostgreSQL's autovacuum finish what the previous side's writes started (at most 20 s) before the next side
 * starts, so no side pays for another's writes. (No CHECKPOINT: after one, the first change of every page writes the
 * whole page to the WAL, which would make the side that follows pay more.)
 */
async function settle(database: BenchContext['database']): Promise<void> {
  if (database.engine !== 'postgres') return;
  for (let waited = 0; waited < 20_000; waited += 250) {
    const { rows } = await database.pgPool!.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
    if (Number(rows[0]!.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Side {
  requests: number;
  perSecond: number;
  p99: number;
  p50: number;
  non2xx: number;
  errors: number;
}

async function pound(url: string, path: string, authToken: string, signedBase: string, accountSid: string, seconds: number): Promise<Side> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      method: 'POST',
      path,
      setupRequest: (request) => {
        n += 1;
        // The kind of message shifts on every pass over the numbers, so each number sends plain texts, keywords and STOPs.
        const roll = (n + Math.floor(n / NUMBERS)) % 10;
        const body = roll === 0 ? 'STOP' : roll <= 2 ? 'join' : `plain message ${n}`;
        const from = `+1617${String(5550000 + ((n * 7919) % NUMBERS)).padStart(7, '0')}`;
        const sid = `SM${randomBytes(16).toString('hex')}`;
        const params: Record<string, string> = { MessageSid: sid, SmsSid: sid, AccountSid: accountSid, From: from, To: '+12025550100', Body: body, NumMedia: '0', ApiVersion: '2010-04-01' };
        return {
          ...request,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(authToken, `${signedBase}${path}`, params) },
          body: new URLSearchParams(params).toString(),
        };
      },
    }],
  });
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / seconds,
    p99: result.latency.p99,
    p50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export const inbound: Benchmark = {
  name: 'inbound',
  description: 'signed Twilio inbound webhooks (STOP, keyword, plain) per second and p99, beside a bare Fastify route',
  async run({ engine, database, log }: BenchContext): Promise<BenchResult[]> {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const url = database.engine === 'sqlite' ? `sqlite:${database.sqlite!.name}` : (database.pgPool!.options as { connectionString: string }).connectionString;
    const children: ChildProcess[] = [];
    const lines = new Map<ChildProcess, AsyncIterator<string>>();
    const exits = new Map<ChildProcess, Promise<unknown>>();
    const start = async <T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> => {
      const profile = process.env.ROSTER_BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ROSTER_BENCH_PROFILE_DIR}`] : [];
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      exits.set(child, once(child, 'exit'));
      const reader = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      lines.set(child, reader);
      return JSON.parse((await reader.next()).value as string) as T;
    };
    const standInProcess = () => children[0]!;
    const standIn = await start<{ baseUrl: string; accountSid: string; authToken: string }>(STAND_IN, []);
    try {
      const barePort = (await start<{ port: number }>(SERVER, ['bare'], { PORT: '0', ROSTER_LOG_LEVEL: 'silent' })).port;
      const floorPort = (await start<{ port: number }>(SERVER, ['floor'], { PORT: '0', ROSTER_DATABASE_URL: url, ROSTER_LOG_LEVEL: 'silent' })).port;
      await start(SERVER, ['roster'], {
        PORT: String(port),
        ROSTER_DATABASE_URL: url,
        ROSTER_LOG_LEVEL: 'silent',
        ROSTER_SMS_GATEWAY: 'twilio',
        ROSTER_PUBLIC_URL: publicUrl,
        ROSTER_TWILIO_ACCOUNT_SID: standIn.accountSid,
        ROSTER_TWILIO_AUTH_TOKEN: standIn.authToken,
        ROSTER_TWILIO_FROM: '+12025550100',
        ROSTER_TWILIO_API_BASE_URL: standIn.baseUrl,
        ROSTER_TWILIO_LOOKUP_BASE_URL: standIn.baseUrl,
      });
      const { companyId } = await createCompany(database, { name: 'Inbound bench', adminEmail: `bench-${randomBytes(4).toString('hex')}@example.org`, adminPassword: 'benchmark password' });
      const auth = { companyId, role: 'admin' as const, actor: { ...SYSTEM_ACTOR, label: 'benchmark' }, via: 'api_key' as const };
      const campaign = await createCampaign(database, auth, { name: 'Bench campaign' });
      await createOptInPath(database, auth, campaign.id, { name: 'Join', keywords: ['JOIN'], welcome_message: 'Welcome!' });
      const path = `/api/v1/gateways/twilio/${companyId}/inbound`;

      // Where each side listens (the base URL is also what the requests are signed for).
      const targets: Record<SideName, { base: string; path: string }> = {
        bare: { base: `http://127.0.0.1:${barePort}`, path: '/bare' },
        floor: { base: `http://127.0.0.1:${floorPort}`, path: `/floor/${companyId}` },
        roster: { base: publicUrl, path },
      };
      const side = (name: SideName, seconds: number) => pound(targets[name].base, targets[name].path, standIn.authToken, targets[name].base, standIn.accountSid, seconds);
      log('  warming up…');
      await side('bare', 2);
      await side('floor', 2);
      const warmup = await side('roster', 2);
      // Two rounds, the order of the sides reversed in the second, so all see the same machine noise; each side's better
      // round is its figure.
      const rounds: Array<Record<SideName, Side>> = [];
      for (let round = 0; round < 2; round++) {
        const order: SideName[] = round % 2 === 0 ? ['bare', 'floor', 'roster'] : ['roster', 'floor', 'bare'];
        const result = {} as Record<SideName, Side>;
        for (const name of order) {
          await settle(database);
          result[name] = await side(name, SECONDS);
        }
        rounds.push(result);
        log(`  round ${round + 1}: ${(['bare', 'floor', 'roster'] as const).map((name) => `${name} ${Math.round(result[name].perSecond)}/s p99 ${result[name].p99} ms`).join('; ')}`);
      }
      const best = (name: SideName) => rounds.map((r) => r[name]).sort((x, y) => y.perSecond - x.perSecond)[0]!;
      const rosterSide = best('roster');
      const bareSide = best('bare');
      const floorSide = best('floor');
      const recorded = Number((await database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).where('direction', '=', 'inbound').executeTakeFirstOrThrow()).n);
      const answered = [warmup, ...rounds.map((r) => r.roster)].reduce((sum, side) => sum + side.requests - side.non2xx - side.errors, 0);
      const share = rosterSide.perSecond / bareSide.perSecond;
      const floorShare = floorSide.perSecond / bareSide.perSecond;
      console.log(`\ninbound webhooks on ${engine} (${CONNECTIONS} connections, ${SECONDS} s per side and round):`);
      const row = (name: string, side: Side) => [name, Math.round(side.perSecond).toString(), String(side.p50), String(side.p99), String(side.non2xx), String(side.errors)];
      console.log(textTable(
        ['side', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
        [row('roster', rosterSide), row('engine floor', floorSide), row('bare fastify', bareSide)],
        new Set([1, 2, 3, 4, 5]),
      ));
      console.log(`throughput share ${(share * 100).toFixed(1)}% (goal ≥ ${GOAL_SHARE * 100}%), p99 ${rosterSide.p99} ms (goal ≤ ${GOAL_P99_MS} ms)`);
      console.log(`engine floor (bare route + one durable insert per webhook): ${(floorShare * 100).toFixed(1)}% of the bare route; Roster ${(rosterSide.perSecond / floorSide.perSecond * 100).toFixed(1)}% of the floor`);
      return [{
        benchmark: 'inbound',
        engine,
        rows: rosterSide.requests,
        unit: 'webhooks',
        service: measurement(rosterSide.requests, SECONDS, `signed Twilio inbound webhooks through Roster (${CONNECTIONS} connections)`),
        raw: measurement(bareSide.requests, SECONDS, 'the same requests to a bare Fastify route answering 200'),
        ratio: bareSide.perSecond / rosterSide.perSecond,
        details: {
          throughputShare: share,
          goalShare: GOAL_SHARE,
          rosterP99Ms: rosterSide.p99,
          rosterP50Ms: rosterSide.p50,
          bareP99Ms: bareSide.p99,
          floorPerSecond: floorSide.perSecond,
          floorShareOfBare: floorShare,
          rosterShareOfFloor: rosterSide.perSecond / floorSide.perSecond,
          floorP99Ms: floorSide.p99,
          goalP99Ms: GOAL_P99_MS,
          non2xx: rosterSide.non2xx,
          errors: rosterSide.errors,
          // Every webhook answered 200 must have left exactly one inbound message (each had its own MessageSid).
          inboundMessagesRecorded: recorded,
          webhooksAnswered: answered,
          repliesSentToStandIn: await (async () => {
            standInProcess().kill('SIGTERM');
            return (JSON.parse((await lines.get(standInProcess())!.next()).value as string) as { messages: number }).messages;
          })(),
        },
      }];
    } finally {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exits.get(child);
      }
    }
  },
};
