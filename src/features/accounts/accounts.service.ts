import { hash, verify } from '@node-rs/argon2';
import type { Database } from '../../db/database.js';
import { AppError, invalidInput, notFound } from '../../errors.js';
import { afterCommit, ShortCache } from '../../db/short-cache.js';
import { nowIso } from '../../time.js';
import { type Actor, changedFields, recordAudit, SYSTEM_ACTOR } from '../audit/audit.js';
import { customFieldContextCache } from '../custom-fields/custom-fields.service.js';
import { DEFAULT_GENDER_OPTIONS } from '../custom-fields/field-types.js';
import { isValidCountryCode } from '../profiles/phone.js';
import * as repo from './accounts.repository.js';
import type { AuthContext } from './auth-context.js';
import type { Role } from './roles.js';
import { newApiKey, randomToken, sha256 } from './secrets.js';

/**
 * Who each recently used API key is, kept for a moment (src/db/short-cache.ts): the lookup ran before every request
 * made with a key. Revoking a key forgets them all in this process at once; another process on the same database
 * may still accept a revoked key for up to API_KEY_CACHE_MS.
 */
export const API_KEY_CACHE_MS = 2000;
const apiKeyCache = new ShortCache<AuthContext>({ max: 10_000, ttlMs: API_KEY_CACHE_MS });

// Verified against when the email is unknown, so a login takes as long whether or not the account exists.
let decoyHash: Promise<string> | undefined;

export interface CompanySettings {
  id: number;
  name: string;
  default_country: string;
  gender_options: string[];
  /** The answer to HELP; null: the built-in text (messaging/replies.ts). */
  help_text: string | null;
  /** The confirmation of a STOP; null: the built-in text; "": none is sent. */
  stop_reply: string | null;
  created_at: string;
  updated_at: string;
}

function toSettings(row: NonNullable<Awaited<ReturnType<typeof repo.findCompany>>>): CompanySettings {
  return { ...row, gender_options: JSON.parse(row.gender_options) as string[] };
}

export function hashPassword(password: string): Promise<string> {
  // @node-rs/argon2 defaults to argon2id (asserted in the accounts tests).
  return hash(password);
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkCountry(country: string): string {
  const upper = country.trim().toUpperCase();
  if (!isValidCountryCode(upper)) {
    throw invalidInput([{ field: 'default_country', value: country, message: 'is not a country code (accepted: ISO 3166-1 alpha-2, e.g. US, CA, GB)' }]);
  }
  return upper;
}

/** Creates a tenant with its first admin user and an admin API key (shown once). */
export async function createCompany(
  database: Database,
  input: { name: string; adminEmail: string; adminPassword: string; defaultCountry?: string },
): Promise<{ companyId: number; userId: number; apiKey: string }> {
  const problems = [];
  if (!input.name.trim()) problems.push({ field: 'name', value: input.name, message: 'must not be empty' });
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.adminEmail.trim())) problems.push({ field: 'admin_email', value: input.adminEmail, message: 'is not an email address' });
  if (input.adminPassword.length < 8) problems.push({ field: 'admin_password', message: 'must be at least 8 characters' });
  if (problems.length) throw invalidInput(problems);
  const country = checkCountry(input.defaultCountry ?? 'US');
  const passwordHash = await hashPassword(input.adminPassword);
  const key = newApiKey();
  const at = nowIso();
  try {
    return await database.db.transaction().execute(async (trx) => {
      const { id: companyId } = await repo.insertCompany(trx, {
        name: input.name.trim(),
        default_country: country,
        gender_options: JSON.stringify(DEFAULT_GENDER_OPTIONS),
        created_at: at,
      });
      const user = await repo.insertUser(trx, companyId, {
        email: normaliseEmail(input.adminEmail),
        name: null,
        password_hash: passwordHash,
        role: 'admin',
        created_at: at,
      });
      const apiKey = await repo.insertApiKey(trx, companyId, { name: 'Initial admin key', prefix: key.prefix, key_hash: key.hash, role: 'admin', created_by: user.email, created_at: at });
      await recordAudit(trx, companyId, SYSTEM_ACTOR, [
        { action: 'company.created', entityType: 'company', entityId: companyId, changes: changedFields(null, { name: input.name.trim(), default_country: country }) },
        { action: 'user.created', entityType: 'user', entityId: user.id, changes: changedFields(null, { email: user.email, role: 'admin' }) },
        { action: 'api_key.created', entityType: 'api_key', entityId: apiKey.id, changes: changedFields(null, { name: apiKey.name, role: apiKey.role, prefix: apiKey.prefix }) },
      ]);
      return { companyId, userId: user.id, apiKey: key.key };
    });
  } catch (error) {
    if (database.isUniqueViolation(error)) throw new AppError('conflict', `A user with email ${normaliseEmail(input.adminEmail)} already exists`, { field: 'admin_email' });
    throw error;
  }
}

export async function countCompanies(database: Database): Promise<number> {
  return Number((await repo.countCompanies(database.db)).n);
}

export async function getCompanySettings(database: Database, companyId: number): Promise<CompanySettings> {
  const row = await repo.findCompany(database.db, companyId);
  if (!row) throw notFound('Company');
  return toSettings(row);
}

// Settings read on every inbound text (messaging.service handleInbound); another process's change shows within a second.
const recentSettings = new ShortCache<CompanySettings>({ max: 1_000, ttlMs: 1_000 });

/** getCompanySettings for a hot path: the answer may be up to a second old when another process changed the settings. */
export async function recentCompanySettings(database: Database, companyId: number): Promise<CompanySettings> {
  return (await recentSettings.get(database, String(companyId), async () => ({ value: await getCompanySettings(database, companyId) })))!;
}

/** Changes name, default country or gender options; audited. */
export async function updateCompanySettings(
  database: Database,
  auth: AuthContext,
  input: { name?: string; default_country?: string; gender_options?: string[]; help_text?: string | null; stop_reply?: string | null },
): Promise<CompanySettings> {
  const values: { name?: string; default_country?: string; gender_options?: string; help_text?: string | null; stop_reply?: string | null } = {};
  // A text message is at most 1,600 characters (Twilio's limit, 10 segments).
  const replyProblems = (['help_text', 'stop_reply'] as const).flatMap((field) => {
    const value = input[field];
    if (value === undefined) return [];
    // An empty HELP answer would leave the person with nothing, so it means "the built-in text".
    values[field] = value === null ? null : field === 'help_text' ? value.trim() || null : value.trim();
    return value !== null && value.trim().length > 1600 ? [{ field, value, message: 'must be at most 1600 characters (one text message)' }] : [];
  });
  if (replyProblems.length) throw invalidInput(replyProblems);
  if (input.name !== undefined) values.name = input.name.trim();
  if (input.default_country !== undefined) values.default_country = checkCountry(input.default_country);
  if (input.gender_options !== undefined) {
    const options = input.gender_options.map((o) => o.trim());
    if (options.some((o) => !o) || new Set(options.map((o) => o.toLowerCase())).size !== options.length) {
      throw invalidInput([{ field: 'gender_options', value: input.gender_options, message: 'must be distinct, non-empty names' }]);
    }
    values.gender_options = JSON.stringify(options);
  }
  // Gender options and the default country are part of the custom-field context the Profiles list keeps; the
  // settings themselves are kept for the inbound path (recentCompanySettings).
  return afterCommit(recentSettings, afterCommit(customFieldContextCache, database.db.transaction().execute(async (trx) => {
    const before = await repo.findCompany(trx, auth.companyId);
    if (!before) throw notFound('Company');
    // Compared as the API shows them, so the audit log holds gender options as a list rather than stored JSON.
    const requested: Record<string, unknown> = { ...values };
    if (values.gender_options !== undefined) requested.gender_options = JSON.parse(values.gender_options);
    const changes = changedFields({ ...toSettings(before) }, requested);
    // A change to nothing leaves updated_at and the audit log alone.
    if (Object.keys(changes).length === 0) return toSettings(before);
    await repo.updateCompany(trx, auth.companyId, { ...values, updated_at: nowIso() });
    await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'company.updated', entityType: 'company', entityId: auth.companyId, changes }]);
    return toSettings((await repo.findCompany(trx, auth.companyId))!);
  })));
}

/** Checks email and password; on success opens a session and returns its token (for the cookie) and CSRF token. */
export async function login(
  database: Database,
  email: string,
  password: string,
  ttlMs: number,
): Promise<{ token: string; csrfToken: string; companyId: number; user: { id: number; email: string; role: string; name: string | null } }> {
  const user = await repo.findUserForLogin(database.db, normaliseEmail(email));
  if (!user || user.disabled_at) {
    decoyHash ??= hashPassword('decoy password for unknown accounts');
    await verify(await decoyHash, password).catch(() => false);
    throw new AppError('unauthenticated', 'Email or password is incorrect');
  }
  const ok = await verify(user.password_hash, password).catch(() => false);
  if (!ok) throw new AppError('unauthenticated', 'Email or password is incorrect');
  const token = randomToken();
  const csrfToken = randomToken(24);
  const at = new Date();
  await repo.insertSession(database.db, user.company_id, {
    token_hash: sha256(token),
    user_id: user.id,
    csrf_token: csrfToken,
    created_at: at.toISOString(),
    expires_at: new Date(at.getTime() + ttlMs).toISOString(),
  });
  return { token, csrfToken, companyId: user.company_id, user: { id: user.id, email: user.email, role: user.role, name: user.name } };
}

export async function logout(database: Database, token: string): Promise<void> {
  await repo.deleteSession(database.db, sha256(token));
}

/**
 * Resolves a session cookie's token to who is asking, or undefined when unknown, expired or disabled. Read afresh
 * every time, unlike API keys: a session ends by its expiry time and its user's state as well as by logging out.
 */
export async function authenticateSession(database: Database, token: string): Promise<AuthContext | undefined> {
  const session = await repo.findSession(database.db, sha256(token), nowIso());
  if (!session) return undefined;
  return {
    companyId: session.company_id,
    role: session.role as Role,
    actor: { type: 'user', id: session.user_id, label: session.email },
    via: 'session',
    csrfToken: session.csrf_token,
  };
}

/** Resolves a bearer API key, or undefined when unknown or revoked. */
export function authenticateApiKey(database: Database, key: string): Promise<AuthContext | undefined> {
  const keyHash = sha256(key);
  return apiKeyCache.get(database, keyHash, async () => {
    const row = await repo.findApiKeyByHash(database.db, keyHash);
    if (!row) return undefined;
    const now = nowIso();
    // Record use at most once a minute so a busy key does not turn every read into a write.
    if (!row.last_used_at || Date.parse(now) - Date.parse(row.last_used_at) > 60_000) await repo.touchApiKey(database.db, row.company_id, row.id, now);
    const auth: AuthContext = { companyId: row.company_id, role: row.role as Role, actor: Object.freeze({ type: 'api_key', id: row.id, label: `key ${row.prefix} (${row.name})` }), via: 'api_key' };
    return { value: Object.freeze(auth) };
  });
}

export interface UserView {
  id: number;
  email: string;
  name: string | null;
  role: string;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

function toUserView(row: { id: number; email: string; name: string | null; role: string; created_at: string; updated_at: string; disabled_at: string | null }): UserView {
  return { id: row.id, email: row.email, name: row.name, role: row.role, created_at: row.created_at, updated_at: row.updated_at, disabled_at: row.disabled_at };
}

export async function listUsers(database: Database, companyId: number): Promise<UserView[]> {
  return (await repo.listUsers(database.db, companyId)).map(toUserView);
}

export async function createUser(
  database: Database,
  auth: AuthContext,
  input: { email: string; password: string; role: Role; name?: string | null },
): Promise<UserView> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await database.db.transaction().execute(async (trx) => {
      const user = await repo.insertUser(trx, auth.companyId, { email: normaliseEmail(input.email), name: input.name ?? null, password_hash: passwordHash, role: input.role, created_at: nowIso() });
      await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'user.created', entityType: 'user', entityId: user.id, changes: changedFields(null, { email: user.email, role: user.role, name: user.name }) }]);
      return toUserView(user);
    });
  } catch (error) {
    if (database.isUniqueViolation(error)) throw new AppError('conflict', `A user with email ${normaliseEmail(input.email)} already exists`, { field: 'email', value: input.email });
    throw error;
  }
}

/** Changes a user's name, role, password or disabled state; the last enabled admin cannot be demoted or disabled. */
export async function updateUser(
  database: Database,
  auth: AuthContext,
  userId: number,
  input: { name?: string | null; role?: Role; password?: string; disabled?: boolean },
): Promise<UserView> {
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return database.db.transaction().execute(async (trx) => {
    const before = await repo.findUser(trx, auth.companyId, userId);
    if (!before) throw notFound('User');
    const values: Parameters<typeof repo.updateUser>[3] = { updated_at: nowIso() };
    if (input.name !== undefined) values.name = input.name;
    if (input.role !== undefined) values.role = input.role;
    if (passwordHash !== undefined) values.password_hash = passwordHash;
    if (input.disabled !== undefined) values.disabled_at = input.disabled ? (before.disabled_at ?? nowIso()) : null;
    const losesAdmin = before.role === 'admin' && !before.disabled_at && ((input.role && input.role !== 'admin') || input.disabled);
    if (losesAdmin) {
      // Two admins demoting each other at once must not both see the other still admin (PostgreSQL, READ COMMITTED).
      await repo.lockCompany(trx, auth.companyId);
      if (Number((await repo.countActiveAdmins(trx, auth.companyId)).n) <= 1) {
        throw new AppError('conflict', 'The last admin cannot be demoted or disabled; make another user admin first');
      }
    }
    const { updated_at: _at, password_hash: _hash, ...visible } = values;
    const changes = changedFields(before, visible);
    if (passwordHash !== undefined) changes.password = { before: '(hidden)', after: '(changed)' };
    // A change to nothing leaves updated_at and the audit log alone.
    if (Object.keys(changes).length === 0) return toUserView(before);
    await repo.updateUser(trx, auth.companyId, userId, values);
    if (input.disabled || passwordHash !== undefined) await repo.deleteUserSessions(trx, auth.companyId, userId);
    await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'user.updated', entityType: 'user', entityId: userId, changes }]);
    return toUserView((await repo.findUser(trx, auth.companyId, userId))!);
  });
}

export async function listApiKeys(database: Database, companyId: number) {
  return repo.listApiKeys(database.db, companyId);
}

/** Creates an API key; the plaintext key is in the answer and nowhere else, ever. */
export async function createApiKey(database: Database, auth: AuthContext, input: { name: string; role: Role }) {
  const key = newApiKey();
  return database.db.transaction().execute(async (trx) => {
    const row = await repo.insertApiKey(trx, auth.companyId, { name: input.name, prefix: key.prefix, key_hash: key.hash, role: input.role, created_by: auth.actor.label, created_at: nowIso() });
    await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'api_key.created', entityType: 'api_key', entityId: row.id, changes: changedFields(null, { name: row.name, role: row.role, prefix: row.prefix }) }]);
    return { ...row, key: key.key };
  });
}

export async function revokeApiKey(database: Database, auth: AuthContext, keyId: number) {
  return afterCommit(apiKeyCache, database.db.transaction().execute(async (trx) => {
    const before = await repo.findApiKey(trx, auth.companyId, keyId);
    if (!before) throw notFound('API key');
    const at = nowIso();
    await repo.revokeApiKey(trx, auth.companyId, keyId, at);
    const after = (await repo.findApiKey(trx, auth.companyId, keyId))!;
    if (!before.revoked_at) await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'api_key.revoked', entityType: 'api_key', entityId: keyId, changes: changedFields(before, { revoked_at: after.revoked_at }) }]);
    return after;
  }));
}

export type { Actor };
