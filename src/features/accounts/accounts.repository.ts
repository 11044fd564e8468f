import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { compiledOnce } from '../../db/compiled.js';

const USER_COLUMNS = ['id', 'company_id', 'email', 'name', 'role', 'created_at', 'updated_at', 'disabled_at'] as const;
const KEY_COLUMNS = ['id', 'name', 'prefix', 'role', 'created_by', 'created_at', 'last_used_at', 'revoked_at'] as const;
const COMPANY_COLUMNS = ['id', 'name', 'default_country', 'gender_options', 'help_text', 'stop_reply', 'created_at', 'updated_at'] as const;

export function findCompany(db: Kysely<DB>, companyId: number) {
  return db.selectFrom('companies').select(COMPANY_COLUMNS).where('id', '=', companyId).executeTakeFirst();
}

export function countCompanies(db: Kysely<DB>) {
  return db.selectFrom('companies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
}

export function insertCompany(
  db: Kysely<DB>,
  values: { name: string; default_country: string; gender_options: string; created_at: string },
) {
  return db
    .insertInto('companies')
    .values({ ...values, updated_at: values.created_at })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function updateCompany(
  db: Kysely<DB>,
  companyId: number,
  values: Partial<{ name: string; default_country: string; gender_options: string; help_text: string | null; stop_reply: string | null }> & { updated_at: string },
) {
  return db.updateTable('companies').set(values).where('id', '=', companyId).execute();
}

/** Login lookup: by email across companies (emails are unique installation-wide). */
export function findUserForLogin(db: Kysely<DB>, email: string) {
  return db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export function findUser(db: Kysely<DB>, companyId: number, userId: number) {
  return db.selectFrom('users').select(USER_COLUMNS).where('company_id', '=', companyId).where('id', '=', userId).executeTakeFirst();
}

export function listUsers(db: Kysely<DB>, companyId: number) {
  return db.selectFrom('users').select(USER_COLUMNS).where('company_id', '=', companyId).orderBy('id').execute();
}

export function insertUser(
  db: Kysely<DB>,
  companyId: number,
  values: { email: string; name: string | null; password_hash: string; role: string; created_at: string },
) {
  return db
    .insertInto('users')
    .values({ company_id: companyId, ...values, updated_at: values.created_at })
    .returning(USER_COLUMNS)
    .executeTakeFirstOrThrow();
}

export function updateUser(
  db: Kysely<DB>,
  companyId: number,
  userId: number,
  values: Partial<{ name: string | null; role: string; password_hash: string; disabled_at: string | null }> & { updated_at: string },
) {
  return db.updateTable('users').set(values).where('company_id', '=', companyId).where('id', '=', userId).execute();
}

/**
 * Takes the company row's write lock until the transaction ends, so checks that span several users' rows
 * (such as "is this the last admin?") are serialised; a plain read would let two transactions pass at once.
 */
export function lockCompany(db: Kysely<DB>, companyId: number) {
  return db.updateTable('companies').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', companyId).execute();
}

export function countActiveAdmins(db: Kysely<DB>, companyId: number) {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('company_id', '=', companyId)
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
}

export function insertSession(
  db: Kysely<DB>,
  companyId: number,
  values: { token_hash: string; user_id: number; csrf_token: string; created_at: string; expires_at: string },
) {
  return db.insertInto('sessions').values({ company_id: companyId, ...values }).execute();
}

/** Session lookup by token (the cookie carries nothing else), joined to a still-enabled user. */
export async function findSession(db: Kysely<DB>, tokenHash: string, now: string) {
  // Compiled once: it runs on every request of the web app.
  const [row] = await compiledOnce(db, 'session by token', { tokenHash, now }, (v) =>
    db
      .selectFrom('sessions')
      .innerJoin('users', (join) => join.onRef('users.company_id', '=', 'sessions.company_id').onRef('users.id', '=', 'sessions.user_id'))
      .select(['sessions.company_id', 'sessions.user_id', 'sessions.csrf_token', 'users.email', 'users.role', 'users.name'])
      .where('sessions.token_hash', '=', v.tokenHash)
      .where('sessions.expires_at', '>', v.now)
      .where('users.disabled_at', 'is', null),
  );
  return row;
}

export function deleteSession(db: Kysely<DB>, tokenHash: string) {
  return db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export function deleteUserSessions(db: Kysely<DB>, companyId: number, userId: number) {
  return db.deleteFrom('sessions').where('company_id', '=', companyId).where('user_id', '=', userId).execute();
}

export function insertApiKey(
  db: Kysely<DB>,
  companyId: number,
  values: { name: string; prefix: string; key_hash: string; role: string; created_by: string | null; created_at: string },
) {
  return db.insertInto('api_keys').values({ company_id: companyId, ...values }).returning(KEY_COLUMNS).executeTakeFirstOrThrow();
}

export function listApiKeys(db: Kysely<DB>, companyId: number) {
  return db.selectFrom('api_keys').select(KEY_COLUMNS).where('company_id', '=', companyId).orderBy('id').execute();
}

export function findApiKey(db: Kysely<DB>, companyId: number, keyId: number) {
  return db.selectFrom('api_keys').select(KEY_COLUMNS).where('company_id', '=', companyId).where('id', '=', keyId).executeTakeFirst();
}

/** Bearer lookup by hash (the token carries nothing else); revoked keys are not found. */
export async function findApiKeyByHash(db: Kysely<DB>, keyHash: string) {
  // Compiled once: it runs on every request made with a key.
  const [row] = await compiledOnce(db, 'api key by hash', { keyHash }, (v) =>
    db.selectFrom('api_keys').select(['company_id', 'id', 'name', 'prefix', 'role', 'last_used_at']).where('key_hash', '=', v.keyHash).where('revoked_at', 'is', null),
  );
  return row;
}

export function revokeApiKey(db: Kysely<DB>, companyId: number, keyId: number, at: string) {
  return db.updateTable('api_keys').set({ revoked_at: at }).where('company_id', '=', companyId).where('id', '=', keyId).where('revoked_at', 'is', null).execute();
}

export function touchApiKey(db: Kysely<DB>, companyId: number, keyId: number, at: string) {
  return db.updateTable('api_keys').set({ last_used_at: at }).where('company_id', '=', companyId).where('id', '=', keyId).execute();
}
