import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { authenticateApiKey, authenticateSession } from '../features/accounts/accounts.service.js';
import type { AuthContext } from '../features/accounts/auth-context.js';
import { type Role, roleAllows } from '../features/accounts/roles.js';

export const SESSION_COOKIE = 'roster_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without logging in. */
    public?: boolean;
    /** Least role allowed; defaults to viewer for reads and editor for writes. */
    minRole?: Role;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

/** Compares a CSRF header with the session's token in constant time; a missing token on either side never matches. */
function sameToken(given: string | string[] | undefined, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The caller of an authenticated route (the hook guarantees it is set). */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('unauthenticated', 'Log in or send an API key as "Authorization: Bearer <key>"');
  return request.auth;
}

/** Authenticates every /api/v1 request (bearer key or session cookie), checks CSRF for cookie writes, and enforces the route's role. */
export function registerAuth(app: FastifyInstance, database: Database): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    // routeOptions builds a new object on every read: once per request is enough.
    const { config, url } = request.routeOptions;
    if (config.public || !url?.startsWith('/api/')) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <api key>"');
      request.auth = (await authenticateApiKey(database, match[1]!)) ?? null;
      if (!request.auth) throw new AppError('unauthenticated', 'The API key is not valid or has been revoked');
    } else {
      const token = request.cookies[SESSION_COOKIE];
      request.auth = token ? ((await authenticateSession(database, token)) ?? null) : null;
      if (!request.auth) throw new AppError('unauthenticated', 'Log in or send an API key as "Authorization: Bearer <key>"');
      if (!SAFE_METHODS.has(request.method) && !sameToken(request.headers['x-csrf-token'], request.auth.csrfToken)) {
        throw new AppError('forbidden', 'Missing or wrong X-CSRF-Token header (it comes with the login answer and GET /api/v1/session)');
      }
    }
    const required = config.minRole ?? (SAFE_METHODS.has(request.method) ? 'viewer' : 'editor');
    if (!roleAllows(request.auth.role, required)) {
      throw new AppError('forbidden', `This needs the ${required} role; you are ${request.auth.role}`);
    }
  });
}
