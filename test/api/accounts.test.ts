import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto.js';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Session {
  token: string;
  csrf: string;
}

const PASSWORD = 'a long enough password';
let serial = 0;

function uniqueEmail(tag: string): string {
  serial += 1;
  return `${tag}-${serial}-${process.pid}@example.org`;
}

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({ code, message: expect.any(String), details: expect.any(Object) });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error as { code: string; message: string; details: Record<string, unknown> };
}

describeEachEngine('accounts API', (engine) => {
  let t: TestApp;
  let a: TestCompany;

  async function login(email: string, password: string): Promise<Session> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'roster_session');
    expect(cookie).toBeDefined();
    return { token: cookie!.value, csrf: res.json().csrf_token };
  }

  /** A request authenticated by the session cookie; the CSRF header is sent unless `csrf` says otherwise. */
  function asSession(session: Session, method: Method, url: string, body?: unknown, csrf: string | null = session.csrf) {
    return t.app.inject({
      method,
      url,
      cookies: { roster_session: session.token },
      headers: csrf === null ? {} : { 'x-csrf-token': csrf },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  }

  async function createUser(company: TestCompany, role: 'admin' | 'editor' | 'viewer', email = uniqueEmail(role)) {
    const res = await t.call(company.apiKey, 'POST', '/api/v1/users', { email, password: PASSWORD, role, name: `A ${role}` });
    expect(res.statusCode, res.body).toBe(201);
    return { ...(res.json() as { id: number; email: string; role: string }), password: PASSWORD };
  }

  async function createKey(company: TestCompany, role: 'admin' | 'editor' | 'viewer') {
    const res = await t.call(company.apiKey, 'POST', '/api/v1/api-keys', { name: `${role} key`, role });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; key: string; prefix: string; role: string };
  }

  async function userIdOf(company: TestCompany, email: string): Promise<number> {
    const res = await t.call(company.apiKey, 'GET', '/api/v1/users');
    expect(res.statusCode).toBe(200);
    const user = (res.json().data as Array<{ id: number; email: string }>).find((u) => u.email === email);
    expect(user).toBeDefined();
    return user!.id;
  }

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Accounts A');
  });

  describe('login and session', () => {
    it('sets an httpOnly SameSite session cookie and answers the user and a CSRF token', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: a.adminEmail, password: a.adminPassword } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.company_id).toBe(a.companyId);
      expect(body.user).toMatchObject({ email: a.adminEmail, role: 'admin' });
      expect(typeof body.csrf_token).toBe('string');
      expect(body.csrf_token.length).toBeGreaterThanOrEqual(16);
      const cookie = res.cookies.find((c) => c.name === 'roster_session');
      expect(cookie).toBeDefined();
      expect(cookie!.httpOnly).toBe(true);
      expect(String(cookie!.sameSite).toLowerCase()).toMatch(/^(lax|strict)$/);
      expect(cookie!.path).toBe('/');
      expect(cookie!.value.length).toBeGreaterThanOrEqual(32);
      const raw = String(res.headers['set-cookie']);
      expect(raw).toMatch(/HttpOnly/i);
      expect(raw).toMatch(/SameSite=(Lax|Strict)/i);
      // Neither the session token nor the CSRF token is in the body next to each other as the cookie.
      expect(res.body).not.toContain(cookie!.value);
    });

    it('keeps only a hash of the session token in the database', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      const rows = await t.database.db.selectFrom('sessions').select(['token_hash', 'csrf_token']).where('company_id', '=', a.companyId).execute();
      expect(rows.some((r) => r.token_hash === sha256(session.token))).toBe(true);
      expect(rows.some((r) => r.token_hash === session.token)).toBe(false);
    });

    it('accepts the email in any letter case and with surrounding spaces', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: `  ${a.adminEmail.toUpperCase()} `, password: a.adminPassword } });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('answers 401 with the error shape for a wrong password and for an unknown email, alike', async () => {
      const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: a.adminEmail, password: 'not the password' } });
      const wrongError = expectError(wrong, 401, 'unauthenticated');
      expect(wrong.cookies.find((c) => c.name === 'roster_session')).toBeUndefined();
      const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'nobody-here@example.org', password: a.adminPassword } });
      const unknownError = expectError(unknown, 401, 'unauthenticated');
      expect(unknown.cookies.find((c) => c.name === 'roster_session')).toBeUndefined();
      // The same answer either way, so the login form does not tell which emails have accounts.
      expect(unknownError).toEqual(wrongError);
    });

    it('answers 422 naming the field when the login body is incomplete', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: a.adminEmail } });
      const error = expectError(res, 422, 'invalid_input');
      expect(error.message).toContain('password');
    });

    it('GET /session with the cookie says who is logged in and repeats the CSRF token', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      const res = await asSession(session, 'GET', '/api/v1/session', undefined, null);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        actor: { type: 'user', label: a.adminEmail },
        role: 'admin',
        company: { id: a.companyId, name: 'Accounts A' },
        csrf_token: session.csrf,
      });
    });

    it('answers 401 without a cookie or key, and for a made-up cookie', async () => {
      expectError(await t.app.inject({ method: 'GET', url: '/api/v1/session' }), 401, 'unauthenticated');
      expectError(await t.app.inject({ method: 'GET', url: '/api/v1/profiles/1' }), 401, 'unauthenticated');
      expectError(await t.app.inject({ method: 'GET', url: '/api/v1/session', cookies: { roster_session: 'made-up-token' } }), 401, 'unauthenticated');
    });

    it('refuses cookie-authenticated writes without the right X-CSRF-Token with 403, and accepts them with it', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      const phone = '+12025550101';

      const noHeader = await asSession(session, 'POST', '/api/v1/profiles', { phone_number: phone, first_name: 'Csrf' }, null);
      expectError(noHeader, 403, 'forbidden');
      const wrongHeader = await asSession(session, 'POST', '/api/v1/profiles', { phone_number: phone, first_name: 'Csrf' }, 'not-the-token');
      expectError(wrongHeader, 403, 'forbidden');
      expectError(await asSession(session, 'POST', '/api/v1/profiles', { phone_number: phone }, ''), 403, 'forbidden');
      // The session token itself is not the CSRF token.
      expectError(await asSession(session, 'POST', '/api/v1/profiles', { phone_number: phone }, session.token), 403, 'forbidden');
      // Nothing was written by the refused requests.
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`)).statusCode).toBe(404);

      const created = await asSession(session, 'POST', '/api/v1/profiles', { phone_number: phone, first_name: 'Csrf' });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as number;

      expectError(await asSession(session, 'PATCH', `/api/v1/profiles/${id}`, { first_name: 'Changed' }, null), 403, 'forbidden');
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).json().first_name).toBe('Csrf');
      const patched = await asSession(session, 'PATCH', `/api/v1/profiles/${id}`, { first_name: 'Changed' });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json().first_name).toBe('Changed');

      expectError(await asSession(session, 'DELETE', `/api/v1/profiles/${id}`, undefined, null), 403, 'forbidden');
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).statusCode).toBe(200);
      const deleted = await asSession(session, 'DELETE', `/api/v1/profiles/${id}`);
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).statusCode).toBe(404);
    });

    it('does not accept one session\'s CSRF token for another session', async () => {
      const first = await login(a.adminEmail, a.adminPassword);
      const second = await login(a.adminEmail, a.adminPassword);
      expect(first.csrf).not.toBe(second.csrf);
      expectError(await asSession(first, 'PATCH', '/api/v1/company', { name: 'Accounts A' }, second.csrf), 403, 'forbidden');
    });

    it('logout makes the cookie useless and clears it', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      expect((await asSession(session, 'GET', '/api/v1/session')).statusCode).toBe(200);
      // Logging out is a write, so it needs the CSRF token too.
      expectError(await asSession(session, 'DELETE', '/api/v1/session', undefined, null), 403, 'forbidden');
      expect((await asSession(session, 'GET', '/api/v1/session')).statusCode).toBe(200);
      const out = await asSession(session, 'DELETE', '/api/v1/session');
      expect(out.statusCode, out.body).toBe(204);
      const cleared = out.cookies.find((c) => c.name === 'roster_session');
      expect(cleared).toBeDefined();
      expect(cleared!.value).toBe('');
      expectError(await asSession(session, 'GET', '/api/v1/session'), 401, 'unauthenticated');
      expectError(await asSession(session, 'POST', '/api/v1/profiles', { phone_number: '+12025550102' }), 401, 'unauthenticated');
      expect(await t.database.db.selectFrom('sessions').select('token_hash').where('token_hash', '=', sha256(session.token)).execute()).toEqual([]);
    });

    it('an expired session is refused', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      expect((await asSession(session, 'GET', '/api/v1/session')).statusCode).toBe(200);
      await t.database.db.updateTable('sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('token_hash', '=', sha256(session.token)).execute();
      expectError(await asSession(session, 'GET', '/api/v1/session'), 401, 'unauthenticated');
    });

    it('logging out one session leaves the user\'s other sessions working', async () => {
      const one = await login(a.adminEmail, a.adminPassword);
      const two = await login(a.adminEmail, a.adminPassword);
      expect((await asSession(one, 'DELETE', '/api/v1/session')).statusCode).toBe(204);
      expect((await asSession(two, 'GET', '/api/v1/session')).statusCode).toBe(200);
    });
  });

  describe('users', () => {
    it('admin creates users with roles; the password is stored as argon2id, never in clear', async () => {
      const email = uniqueEmail('new');
      const res = await t.call(a.apiKey, 'POST', '/api/v1/users', { email, password: 'correct horse battery', role: 'editor', name: 'Ed Itor' });
      expect(res.statusCode, res.body).toBe(201);
      const user = res.json();
      expect(user).toMatchObject({ email, role: 'editor', name: 'Ed Itor', disabled_at: null });
      expect(user).not.toHaveProperty('password');
      expect(user).not.toHaveProperty('password_hash');
      expect(res.body).not.toContain('argon2');
      const row = await t.database.db.selectFrom('users').select(['password_hash', 'company_id', 'role']).where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.company_id).toBe(a.companyId);
      expect(row.role).toBe('editor');
      expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
      expect(row.password_hash).not.toContain('correct horse battery');
      // The company's first admin too.
      const admin = await t.database.db.selectFrom('users').select('password_hash').where('email', '=', a.adminEmail).executeTakeFirstOrThrow();
      expect(admin.password_hash.startsWith('$argon2id$')).toBe(true);

      const list = await t.call(a.apiKey, 'GET', '/api/v1/users');
      expect(list.statusCode).toBe(200);
      expect(list.json().data.map((u: { email: string }) => u.email)).toContain(email);
      expect(list.body).not.toContain('$argon2');

      const session = await login(email, 'correct horse battery');
      expect((await asSession(session, 'GET', '/api/v1/session')).json()).toMatchObject({ role: 'editor', actor: { type: 'user', id: user.id } });
    });

    it('stores the email in lower case so login and uniqueness ignore case', async () => {
      const email = uniqueEmail('MixedCase');
      const res = await t.call(a.apiKey, 'POST', '/api/v1/users', { email, password: PASSWORD, role: 'viewer' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().email).toBe(email.toLowerCase());
      await login(email.toLowerCase(), PASSWORD);
    });

    it('rejects a duplicate email with 409, whatever its case', async () => {
      const email = uniqueEmail('dup');
      await createUser(a, 'viewer', email);
      const again = await t.call(a.apiKey, 'POST', '/api/v1/users', { email, password: PASSWORD, role: 'editor' });
      expectError(again, 409, 'conflict');
      const upper = await t.call(a.apiKey, 'POST', '/api/v1/users', { email: email.toUpperCase(), password: PASSWORD, role: 'editor' });
      expectError(upper, 409, 'conflict');
      const same = (await t.call(a.apiKey, 'GET', '/api/v1/users')).json().data.filter((u: { email: string }) => u.email === email);
      expect(same).toHaveLength(1);
      expect(same[0].role).toBe('viewer');
    });

    it('rejects bad user input with 422 naming the field', async () => {
      const badEmail = await t.call(a.apiKey, 'POST', '/api/v1/users', { email: 'not-an-email', password: PASSWORD, role: 'viewer' });
      expect(expectError(badEmail, 422, 'invalid_input').message).toContain('email');
      const shortPassword = await t.call(a.apiKey, 'POST', '/api/v1/users', { email: uniqueEmail('short'), password: 'short', role: 'viewer' });
      expect(expectError(shortPassword, 422, 'invalid_input').message).toContain('password');
      const badRole = await t.call(a.apiKey, 'POST', '/api/v1/users', { email: uniqueEmail('role'), password: PASSWORD, role: 'owner' });
      expect(expectError(badRole, 422, 'invalid_input').message).toContain('role');
    });

    it('disabling a user ends their sessions and refuses their login; enabling lets them log in again', async () => {
      const user = await createUser(a, 'editor');
      const session = await login(user.email, user.password);
      expect((await asSession(session, 'GET', '/api/v1/session')).statusCode).toBe(200);

      const disabled = await t.call(a.apiKey, 'PATCH', `/api/v1/users/${user.id}`, { disabled: true });
      expect(disabled.statusCode, disabled.body).toBe(200);
      expect(disabled.json().disabled_at).not.toBeNull();
      expectError(await asSession(session, 'GET', '/api/v1/session'), 401, 'unauthenticated');
      expectError(await asSession(session, 'POST', '/api/v1/profiles', { phone_number: '+12025550103' }), 401, 'unauthenticated');
      expect(await t.database.db.selectFrom('sessions').select('token_hash').where('user_id', '=', user.id).execute()).toEqual([]);
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: user.email, password: user.password } });
      expectError(refused, 401, 'unauthenticated');

      const enabled = await t.call(a.apiKey, 'PATCH', `/api/v1/users/${user.id}`, { disabled: false });
      expect(enabled.statusCode).toBe(200);
      expect(enabled.json().disabled_at).toBeNull();
      const again = await login(user.email, user.password);
      expect((await asSession(again, 'GET', '/api/v1/session')).statusCode).toBe(200);
    });

    it('changing a password ends the user\'s sessions; only the new password works', async () => {
      const user = await createUser(a, 'viewer');
      const session = await login(user.email, user.password);
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/users/${user.id}`, { password: 'a brand new password' });
      expect(res.statusCode, res.body).toBe(200);
      expectError(await asSession(session, 'GET', '/api/v1/session'), 401, 'unauthenticated');
      expectError(await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: user.email, password: user.password } }), 401, 'unauthenticated');
      await login(user.email, 'a brand new password');
      const row = await t.database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
    });

    it('a role change takes effect on an open session at once', async () => {
      const user = await createUser(a, 'editor');
      const session = await login(user.email, user.password);
      expect((await asSession(session, 'POST', '/api/v1/profiles', { phone_number: '+12025550104' })).statusCode).toBe(201);
      expect((await t.call(a.apiKey, 'PATCH', `/api/v1/users/${user.id}`, { role: 'viewer' })).statusCode).toBe(200);
      expectError(await asSession(session, 'POST', '/api/v1/profiles', { phone_number: '+12025550105' }), 403, 'forbidden');
    });

    it('the last enabled admin cannot be demoted or disabled (409); with another admin they can', async () => {
      const c = await t.company('Last admin');
      const firstAdminId = await userIdOf(c, c.adminEmail);
      expectError(await t.call(c.apiKey, 'PATCH', `/api/v1/users/${firstAdminId}`, { role: 'editor' }), 409, 'conflict');
      expectError(await t.call(c.apiKey, 'PATCH', `/api/v1/users/${firstAdminId}`, { role: 'viewer' }), 409, 'conflict');
      expectError(await t.call(c.apiKey, 'PATCH', `/api/v1/users/${firstAdminId}`, { disabled: true }), 409, 'conflict');
      let first = (await t.call(c.apiKey, 'GET', '/api/v1/users')).json().data.find((u: { id: number }) => u.id === firstAdminId);
      expect(first).toMatchObject({ role: 'admin', disabled_at: null });

      // A disabled admin does not count.
      const second = await createUser(c, 'admin');
      expect((await t.call(c.apiKey, 'PATCH', `/api/v1/users/${second.id}`, { disabled: true })).statusCode).toBe(200);
      expectError(await t.call(c.apiKey, 'PATCH', `/api/v1/users/${firstAdminId}`, { role: 'editor' }), 409, 'conflict');

      // An enabled second admin does.
      expect((await t.call(c.apiKey, 'PATCH', `/api/v1/users/${second.id}`, { disabled: false })).statusCode).toBe(200);
      const demoted = await t.call(c.apiKey, 'PATCH', `/api/v1/users/${firstAdminId}`, { role: 'editor' });
      expect(demoted.statusCode, demoted.body).toBe(200);
      expect(demoted.json().role).toBe('editor');
      // Now the second is the last one.
      expectError(await t.call(c.apiKey, 'PATCH', `/api/v1/users/${second.id}`, { role: 'viewer' }), 409, 'conflict');
      expectError(await t.call(c.apiKey, 'PATCH', `/api/v1/users/${second.id}`, { disabled: true }), 409, 'conflict');
      // Changing the last admin's name is fine.
      expect((await t.call(c.apiKey, 'PATCH', `/api/v1/users/${second.id}`, { name: 'Still admin' })).statusCode).toBe(200);
      first = (await t.call(c.apiKey, 'GET', '/api/v1/users')).json().data.find((u: { id: number }) => u.id === second.id);
      expect(first).toMatchObject({ role: 'admin', disabled_at: null, name: 'Still admin' });
    });

    it('two admins demoting each other at the same moment leave one admin', async () => {
      for (let round = 0; round < 4; round += 1) {
        const c = await t.company(`Race ${round}`);
        const x = await userIdOf(c, c.adminEmail);
        const y = (await createUser(c, 'admin')).id;
        const results = await Promise.all([
          t.call(c.apiKey, 'PATCH', `/api/v1/users/${x}`, { role: 'editor' }),
          t.call(c.apiKey, 'PATCH', `/api/v1/users/${y}`, { role: 'editor' }),
        ]);
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
        const admins = (await t.call(c.apiKey, 'GET', '/api/v1/users')).json().data.filter((u: { role: string; disabled_at: string | null }) => u.role === 'admin' && !u.disabled_at);
        expect(admins).toHaveLength(1);
      }
    });

    it('answers 404 for a user id that does not exist', async () => {
      expectError(await t.call(a.apiKey, 'PATCH', '/api/v1/users/999999999', { name: 'x' }), 404, 'not_found');
    });
  });

  describe('API keys', () => {
    it('shows the key once; lists never show it or its hash; the key works until revoked, then gets 401', async () => {
      const res = await t.call(a.apiKey, 'POST', '/api/v1/api-keys', { name: 'Parsons script', role: 'editor' });
      expect(res.statusCode, res.body).toBe(201);
      const created = res.json();
      expect(created).toMatchObject({ name: 'Parsons script', role: 'editor', revoked_at: null });
      expect(typeof created.key).toBe('string');
      expect(created.key.length).toBeGreaterThanOrEqual(32);
      expect(created.key).toContain(created.prefix);
      expect(created).not.toHaveProperty('key_hash');

      const row = await t.database.db.selectFrom('api_keys').select(['key_hash', 'prefix']).where('id', '=', created.id).executeTakeFirstOrThrow();
      expect(row.key_hash).not.toBe(created.key);
      expect(row.key_hash).not.toContain(created.key);
      expect(row.key_hash).toBe(sha256(created.key));

      const list = await t.call(a.apiKey, 'GET', '/api/v1/api-keys');
      expect(list.statusCode).toBe(200);
      const listed = list.json().data.find((k: { id: number }) => k.id === created.id);
      expect(listed).toMatchObject({ id: created.id, name: 'Parsons script', prefix: created.prefix, role: 'editor', revoked_at: null });
      for (const key of list.json().data) {
        expect(key).not.toHaveProperty('key');
        expect(key).not.toHaveProperty('key_hash');
      }
      expect(list.body).not.toContain(created.key);
      expect(list.body).not.toContain(row.key_hash);
      // Nor does the audit log.
      const audit = await t.call(a.apiKey, 'GET', '/api/v1/audit-log?limit=500');
      expect(audit.body).not.toContain(created.key);
      expect(audit.body).not.toContain(row.key_hash);

      const who = await t.call(created.key, 'GET', '/api/v1/session');
      expect(who.statusCode, who.body).toBe(200);
      expect(who.json()).toMatchObject({ actor: { type: 'api_key', id: created.id }, role: 'editor', company: { id: a.companyId } });
      expect((await t.call(created.key, 'POST', '/api/v1/profiles', { phone_number: '+12025550106' })).statusCode).toBe(201);
      const used = (await t.call(a.apiKey, 'GET', '/api/v1/api-keys')).json().data.find((k: { id: number }) => k.id === created.id);
      expect(used.last_used_at).not.toBeNull();

      const revoked = await t.call(a.apiKey, 'DELETE', `/api/v1/api-keys/${created.id}`);
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json().revoked_at).not.toBeNull();
      expect(revoked.json()).not.toHaveProperty('key');
      expectError(await t.call(created.key, 'GET', '/api/v1/session'), 401, 'unauthenticated');
      expectError(await t.call(created.key, 'POST', '/api/v1/profiles', { phone_number: '+12025550107' }), 401, 'unauthenticated');
      const after = (await t.call(a.apiKey, 'GET', '/api/v1/api-keys')).json().data.find((k: { id: number }) => k.id === created.id);
      expect(after.revoked_at).toBe(revoked.json().revoked_at);
    });

    it('a key can be created through a cookie session (with CSRF) and names its creator', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      expectError(await asSession(session, 'POST', '/api/v1/api-keys', { name: 'no csrf' }, null), 403, 'forbidden');
      const res = await asSession(session, 'POST', '/api/v1/api-keys', { name: 'from the UI', role: 'viewer' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ role: 'viewer', created_by: a.adminEmail });
      expect((await t.call(res.json().key, 'GET', '/api/v1/custom-fields')).statusCode).toBe(200);
    });

    it('revoking an unknown key answers 404', async () => {
      expectError(await t.call(a.apiKey, 'DELETE', '/api/v1/api-keys/999999999'), 404, 'not_found');
    });

    it.each([
      ['a Basic header', () => `Basic ${Buffer.from('user:pass').toString('base64')}`],
      ['a bare Bearer', () => 'Bearer'],
      ['Bearer with two tokens', () => 'Bearer one two'],
      ['an unknown scheme', () => 'Token abc'],
      ['an empty header', () => ''],
      ['an unknown key', () => 'Bearer rst_unknown_0000000000000000000000000000000000000000000'],
      ['a valid key under another scheme', () => `Key ${a.apiKey}`],
    ])('answers 401 for a malformed or unknown Authorization header: %s', async (_label, header) => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/custom-fields', headers: { authorization: header() } });
      expectError(res, 401, 'unauthenticated');
    });

    it('a malformed Authorization header is refused even next to a valid session cookie', async () => {
      const session = await login(a.adminEmail, a.adminPassword);
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/session', cookies: { roster_session: session.token }, headers: { authorization: 'Basic abc' } });
      expectError(res, 401, 'unauthenticated');
    });
  });

  describe('roles', () => {
    let c: TestCompany;
    let profileId: number;
    let fieldId: number;
    let otherUserId: number;
    let otherKeyId: number;

    beforeAll(async () => {
      c = await t.company('Roles');
      const profile = await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550150', first_name: 'Role', last_name: 'Model' });
      expect(profile.statusCode).toBe(201);
      profileId = profile.json().id;
      const field = await t.call(c.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Team', field_type: 'text' });
      expect(field.statusCode).toBe(201);
      fieldId = field.json().id;
      otherUserId = (await createUser(c, 'viewer')).id;
      otherKeyId = (await createKey(c, 'editor')).id;
    });

    /** Every write that is not the viewer's to make, with the least role that may make it. */
    function writes(): Array<{ method: Method; url: string; body?: unknown; minRole: 'editor' | 'admin' }> {
      return [
        { method: 'POST', url: '/api/v1/profiles', body: { phone_number: '+12025550151', first_name: 'New' }, minRole: 'editor' },
        { method: 'PATCH', url: `/api/v1/profiles/${profileId}`, body: { first_name: 'Changed' }, minRole: 'editor' },
        { method: 'DELETE', url: `/api/v1/profiles/${profileId}`, minRole: 'admin' },
        { method: 'POST', url: '/api/v1/custom-fields', body: { name: 'Shirt size', field_type: 'text' }, minRole: 'admin' },
        { method: 'PATCH', url: `/api/v1/custom-fields/${fieldId}`, body: { name: 'Renamed' }, minRole: 'admin' },
        { method: 'DELETE', url: `/api/v1/custom-fields/${fieldId}`, minRole: 'admin' },
        { method: 'POST', url: '/api/v1/users', body: { email: uniqueEmail('escalate'), password: PASSWORD, role: 'admin' }, minRole: 'admin' },
        { method: 'PATCH', url: `/api/v1/users/${otherUserId}`, body: { role: 'admin' }, minRole: 'admin' },
        { method: 'POST', url: '/api/v1/api-keys', body: { name: 'escalate', role: 'admin' }, minRole: 'admin' },
        { method: 'DELETE', url: `/api/v1/api-keys/${otherKeyId}`, minRole: 'admin' },
        { method: 'PATCH', url: '/api/v1/company', body: { name: 'Taken over' }, minRole: 'admin' },
      ];
    }

    const reads = () => [
      '/api/v1/session',
      '/api/v1/company',
      `/api/v1/profiles/${profileId}`,
      `/api/v1/profiles/lookup?phone_number=${encodeURIComponent('(202) 555-0150')}`,
      '/api/v1/custom-fields',
      '/api/v1/audit-log',
    ];

    /** Nothing the refused writes aimed at changed. */
    async function expectUnchanged() {
      const profile = await t.call(c.apiKey, 'GET', `/api/v1/profiles/${profileId}`);
      expect(profile.statusCode).toBe(200);
      expect(profile.json().first_name).toBe('Role');
      const lookup = await t.call(c.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent('+12025550151')}`);
      expect(lookup.statusCode).toBe(404);
      const fields = (await t.call(c.apiKey, 'GET', '/api/v1/custom-fields')).json().data;
      expect(fields.map((f: { id: number; name: string }) => [f.id, f.name])).toEqual([[fieldId, 'Team']]);
      const users = (await t.call(c.apiKey, 'GET', '/api/v1/users')).json().data;
      expect(users.find((u: { id: number }) => u.id === otherUserId).role).toBe('viewer');
      expect(users.some((u: { email: string }) => u.email.startsWith('escalate'))).toBe(false);
      const keys = (await t.call(c.apiKey, 'GET', '/api/v1/api-keys')).json().data;
      expect(keys.find((k: { id: number }) => k.id === otherKeyId).revoked_at).toBeNull();
      expect(keys.some((k: { name: string }) => k.name === 'escalate')).toBe(false);
      expect((await t.call(c.apiKey, 'GET', '/api/v1/company')).json().name).toBe('Roles');
    }

    for (const via of ['cookie', 'key'] as const) {
      it(`a viewer (${via}) can read profiles, custom fields and the audit log but gets 403 on every write`, async () => {
        let send: (method: Method, url: string, body?: unknown) => Promise<LightMyRequestResponse>;
        if (via === 'cookie') {
          const user = await createUser(c, 'viewer');
          const session = await login(user.email, user.password);
          send = (method, url, body) => asSession(session, method, url, body);
        } else {
          const key = await createKey(c, 'viewer');
          send = (method, url, body) => t.call(key.key, method, url, body);
        }
        for (const url of reads()) {
          const res = await send('GET', url);
          expect(res.statusCode, `GET ${url}: ${res.body}`).toBe(200);
        }
        for (const write of writes()) {
          const res = await send(write.method, write.url, write.body);
          expect(res.statusCode, `${write.method} ${write.url}: ${res.body}`).toBe(403);
          const error = expectError(res, 403, 'forbidden');
          // Refused for the role, not for a missing CSRF token.
          expect(error.message).toMatch(/role/);
        }
        for (const url of ['/api/v1/users', '/api/v1/api-keys']) expectError(await send('GET', url), 403, 'forbidden');
        await expectUnchanged();
      });

      it(`an editor (${via}) can write profiles but not delete them nor manage users, keys, custom fields or settings`, async () => {
        let send: (method: Method, url: string, body?: unknown) => Promise<LightMyRequestResponse>;
        if (via === 'cookie') {
          const user = await createUser(c, 'editor');
          const session = await login(user.email, user.password);
          send = (method, url, body) => asSession(session, method, url, body);
        } else {
          const key = await createKey(c, 'editor');
          send = (method, url, body) => t.call(key.key, method, url, body);
        }
        for (const write of writes().filter((w) => w.minRole === 'admin')) {
          const res = await send(write.method, write.url, write.body);
          expect(res.statusCode, `${write.method} ${write.url}: ${res.body}`).toBe(403);
          expect(expectError(res, 403, 'forbidden').message).toMatch(/admin/);
        }
        for (const url of ['/api/v1/users', '/api/v1/api-keys']) expectError(await send('GET', url), 403, 'forbidden');
        await expectUnchanged();

        const phone = via === 'cookie' ? '+12025550160' : '+12025550161';
        const created = await send('POST', '/api/v1/profiles', { phone_number: phone, first_name: 'Edited' });
        expect(created.statusCode, created.body).toBe(201);
        const patched = await send('PATCH', `/api/v1/profiles/${created.json().id}`, { last_name: 'Person', custom_fields: { Team: 'Blue' } });
        expect(patched.statusCode, patched.body).toBe(200);
        expect(patched.json()).toMatchObject({ first_name: 'Edited', last_name: 'Person', custom_fields: { Team: 'Blue' } });
        expectError(await send('DELETE', `/api/v1/profiles/${created.json().id}`), 403, 'forbidden');
        expect((await t.call(c.apiKey, 'GET', `/api/v1/profiles/${created.json().id}`)).statusCode).toBe(200);
      });
    }

    it('an admin may do every one of those writes', async () => {
      const session = await login(c.adminEmail, c.adminPassword);
      for (const write of writes()) {
        const res = await asSession(session, write.method, write.url, write.body);
        expect(res.statusCode, `${write.method} ${write.url}: ${res.body}`).toBeLessThan(300);
      }
    });
  });

  describe('company settings', () => {
    it('validates default_country and gender_options with 422 naming the field, and keeps the old settings', async () => {
      const c = await t.company('Settings');
      const before = (await t.call(c.apiKey, 'GET', '/api/v1/company')).json();
      expect(before).toMatchObject({ id: c.companyId, name: 'Settings', default_country: 'US' });
      expect(before.gender_options).toEqual(['Female', 'Male', 'Non-binary', 'Other', 'Prefer not to say']);

      for (const country of ['ZZ', 'USA', '', '12']) {
        const res = await t.call(c.apiKey, 'PATCH', '/api/v1/company', { default_country: country });
        const error = expectError(res, 422, 'invalid_input');
        expect(error.message).toContain('default_country');
        expect(error.details.fields).toEqual([expect.objectContaining({ field: 'default_country' })]);
      }
      const zz = expectError(await t.call(c.apiKey, 'PATCH', '/api/v1/company', { default_country: 'ZZ' }), 422, 'invalid_input');
      expect(zz.message).toContain('"ZZ"');
      expect(zz.details.fields).toEqual([expect.objectContaining({ field: 'default_country', value: 'ZZ' })]);

      for (const options of [[], ['Female', 'female'], ['Female', '  '], 'Female', [1, 2]]) {
        const res = await t.call(c.apiKey, 'PATCH', '/api/v1/company', { gender_options: options });
        const error = expectError(res, 422, 'invalid_input');
        expect(error.message, JSON.stringify(options)).toContain('gender_options');
      }
      // A bad field spoils the whole change: the good name is not applied either.
      expectError(await t.call(c.apiKey, 'PATCH', '/api/v1/company', { name: 'Half applied', default_country: 'ZZ' }), 422, 'invalid_input');
      expectError(await t.call(c.apiKey, 'PATCH', '/api/v1/company', { unknown_setting: 1 }), 422, 'invalid_input');
      expect((await t.call(c.apiKey, 'GET', '/api/v1/company')).json()).toEqual(before);
    });

    it('accepts a valid country (any case) and gender options, and uses the country to read numbers', async () => {
      const c = await t.company('Settings ok');
      const res = await t.call(c.apiKey, 'PATCH', '/api/v1/company', { default_country: 'gb', gender_options: ['Woman', 'Man', ' Non-binary '] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ default_country: 'GB', gender_options: ['Woman', 'Man', 'Non-binary'] });
      expect((await t.call(c.apiKey, 'GET', '/api/v1/company')).json()).toMatchObject({ default_country: 'GB', gender_options: ['Woman', 'Man', 'Non-binary'] });
      const profile = await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '07400 123456' });
      expect(profile.statusCode, profile.body).toBe(201);
      expect(profile.json().phone_number).toBe('+447400123456');
    });
  });
});
