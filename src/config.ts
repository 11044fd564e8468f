import { z } from 'zod';
import { AppError } from './errors.js';
import type { GatewaySettings } from './features/messaging/gateways/index.js';
import { parseSimulatorCarriers, parseSimulatorRules } from './features/messaging/gateways/simulator.js';

/** Parsed configuration: the only place process.env is read (DESIGN.md habit 4). */
export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Run a job worker inside `roster serve`. */
  inProcessWorker: boolean;
  /** Mark session cookies Secure; turn on behind HTTPS. */
  cookieSecure: boolean;
  /** Milliseconds a login session lasts without use. */
  sessionTtlMs: number;
  /** Milliseconds an export's file is kept after it is written (SPEC §6: files expire). */
  exportTtlMs: number;
  /** The SMS gateway (SPEC §4) and how to reach it. */
  sms: SmsConfig;
  /** Largest CSV file an upload accepts, in bytes (SPEC §7). */
  uploadMaxBytes: number;
  /** Whether the server applies the gateway's daily deactivation feed (hourly check; SPEC §4). */
  deactivationFeed: boolean;
}

/** The gateway settings plus the public base URL Twilio calls back on (also what its signatures cover). */
export type SmsConfig = GatewaySettings & { publicUrl: string | undefined };

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  ROSTER_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'accepted: sqlite:<path> or postgres://user@host:port/db')
    .default('sqlite:./data/roster.db'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ROSTER_DATA_DIR: z.string().min(1).default('./data'),
  ROSTER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROSTER_IN_PROCESS_WORKER: boolish.default(true),
  ROSTER_COOKIE_SECURE: boolish.default(false),
  ROSTER_SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 14),
  ROSTER_EXPORT_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 7),
  ROSTER_SMS_GATEWAY: z.enum(['simulator', 'twilio']).default('simulator'),
  ROSTER_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'accepted: the http(s) base URL Twilio reaches Roster at, e.g. https://roster.example.org (no query string)')
    .optional(),
  ROSTER_TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'accepted: AC followed by 32 hex digits').optional(),
  ROSTER_TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  ROSTER_TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{1,14}|[A-Za-z0-9 ]{1,11})$/, 'accepted: a Twilio number in E.164 (+12025550100), a short code or an alphanumeric sender id').optional(),
  ROSTER_TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'accepted: MG followed by 32 hex digits').optional(),
  ROSTER_TWILIO_API_BASE_URL: z.url({ protocol: /^https?$/, error: 'accepted: an http(s) URL' }).default('https://api.twilio.com'),
  ROSTER_TWILIO_LOOKUP_BASE_URL: z.url({ protocol: /^https?$/, error: 'accepted: an http(s) URL' }).default('https://lookups.twilio.com'),
  ROSTER_TWILIO_MESSAGING_BASE_URL: z.url({ protocol: /^https?$/, error: 'accepted: an http(s) URL' }).default('https://messaging.twilio.com'),
  ROSTER_TWILIO_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  ROSTER_SIMULATOR_RULES: z.string().optional(),
  ROSTER_SIMULATOR_CARRIERS: z.string().optional(),
  ROSTER_UPLOAD_MAX_MB: z.coerce.number().positive().max(100_000).default(200),
  ROSTER_DEACTIVATION_FEED: boolish.default(true),
});

/** Reads and validates the environment once; every bad variable is reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return { field: name, value: env[name], message: issue.message };
    });
    throw new AppError(
      'invalid_config',
      'Invalid configuration: ' + problems.map((p) => `${p.field}=${JSON.stringify(p.value)} (${p.message})`).join('; '),
      { problems },
    );
  }
  const e = parsed.data;
  const sms = smsConfig(e, env);
  return {
    databaseUrl: e.ROSTER_DATABASE_URL,
    host: e.HOST,
    port: e.PORT,
    dataDir: e.ROSTER_DATA_DIR,
    logLevel: e.ROSTER_LOG_LEVEL,
    inProcessWorker: e.ROSTER_IN_PROCESS_WORKER,
    cookieSecure: e.ROSTER_COOKIE_SECURE,
    sessionTtlMs: e.ROSTER_SESSION_TTL_HOURS * 3600_000,
    exportTtlMs: e.ROSTER_EXPORT_TTL_HOURS * 3600_000,
    uploadMaxBytes: Math.floor(e.ROSTER_UPLOAD_MAX_MB * 1024 * 1024),
    deactivationFeed: e.ROSTER_DEACTIVATION_FEED,
    sms,
  };
}

function configError(problems: Array<{ field: string; value: unknown; message: string }>): AppError {
  return new AppError(
    'invalid_config',
    'Invalid configuration: ' + problems.map((p) => `${p.field}=${JSON.stringify(p.value ?? '')} (${p.message})`).join('; '),
    { problems },
  );
}

/** The gateway settings: Twilio needs its credentials, a sender and the public URL its webhooks reach; the simulator needs nothing. */
function smsConfig(e: z.infer<typeof envSchema>, env: NodeJS.ProcessEnv): SmsConfig {
  const problems: Array<{ field: string; value: unknown; message: string }> = [];
  const publicUrl = e.ROSTER_PUBLIC_URL?.replace(/\/+$/, '');
  if (e.ROSTER_SMS_GATEWAY === 'simulator') {
    // The simulator's rule parsers name the variable, the entry and what is accepted.
    const parse = <T>(name: 'ROSTER_SIMULATOR_RULES' | 'ROSTER_SIMULATOR_CARRIERS', read: (text: string, field: string) => T): T | undefined => {
      const text = e[name];
      if (text === undefined) return undefined;
      try {
        return read(text, name);
      } catch (error) {
        const fields = ((error as AppError).details?.fields as Array<{ field: string; value: unknown; message: string }> | undefined) ?? [];
        problems.push(...fields.map((f) => ({ field: f.field, value: f.value, message: f.message })));
        return undefined;
      }
    };
    const rules = parse('ROSTER_SIMULATOR_RULES', parseSimulatorRules);
    const carriers = parse('ROSTER_SIMULATOR_CARRIERS', parseSimulatorCarriers);
    if (problems.length) throw configError(problems);
    return { kind: 'simulator', simulator: { ...(rules ? { rules } : {}), ...(carriers ? { carriers } : {}) }, publicUrl };
  }
  const need = (name: string, value: unknown, message: string) => {
    if (value === undefined) problems.push({ field: name, value: env[name], message });
  };
  need('ROSTER_TWILIO_ACCOUNT_SID', e.ROSTER_TWILIO_ACCOUNT_SID, 'is required when ROSTER_SMS_GATEWAY=twilio (accepted: AC followed by 32 hex digits)');
  need('ROSTER_TWILIO_AUTH_TOKEN', e.ROSTER_TWILIO_AUTH_TOKEN, 'is required when ROSTER_SMS_GATEWAY=twilio (the Auth Token of the account; it also signs webhooks)');
  need('ROSTER_PUBLIC_URL', publicUrl, 'is required when ROSTER_SMS_GATEWAY=twilio (accepted: the https base URL Twilio reaches Roster at; webhook signatures cover it)');
  if (e.ROSTER_TWILIO_FROM === undefined && e.ROSTER_TWILIO_MESSAGING_SERVICE_SID === undefined) {
    problems.push({ field: 'ROSTER_TWILIO_FROM', value: env.ROSTER_TWILIO_FROM, message: 'or ROSTER_TWILIO_MESSAGING_SERVICE_SID is required when ROSTER_SMS_GATEWAY=twilio (the sender)' });
  }
  if (problems.length) throw configError(problems);
  return {
    kind: 'twilio',
    publicUrl,
    twilio: {
      accountSid: e.ROSTER_TWILIO_ACCOUNT_SID!,
      authToken: e.ROSTER_TWILIO_AUTH_TOKEN!,
      ...(e.ROSTER_TWILIO_FROM !== undefined ? { from: e.ROSTER_TWILIO_FROM } : {}),
      ...(e.ROSTER_TWILIO_MESSAGING_SERVICE_SID !== undefined ? { messagingServiceSid: e.ROSTER_TWILIO_MESSAGING_SERVICE_SID } : {}),
      apiBaseUrl: e.ROSTER_TWILIO_API_BASE_URL,
      lookupBaseUrl: e.ROSTER_TWILIO_LOOKUP_BASE_URL,
      messagingBaseUrl: e.ROSTER_TWILIO_MESSAGING_BASE_URL,
      timeoutMs: e.ROSTER_TWILIO_TIMEOUT_MS,
    },
  };
}
