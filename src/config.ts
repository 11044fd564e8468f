import { z } from 'zod';
import { AppError } from './errors.js';

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
  /** Largest CSV file an upload accepts, in bytes (SPEC §7). */
  uploadMaxBytes: number;
}

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
  ROSTER_UPLOAD_MAX_MB: z.coerce.number().positive().max(100_000).default(200),
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
  };
}
