import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One company's rows of every kind, as created through the API. */
interface Tenant {
  company: TestCompany;
  name: string;
  phone: string;
  profileId: number;
  fieldId: number;
  fieldName: string;
  userId: number;
  userEmail: string;
  userPassword: string;
  keyId: number;
  key: string;
  session: { token: string; csrf: string };
}

describeEachEngine('tenancy', (engine) => {
  let t: TestApp;
  let A: Tenant;
  let B: Tenant;

  async function tenant(name: string, phone: string, fieldName: string): Promise<Tenant> {
    const company = await t.company(name);
    const field = await t.call(company.apiKey, 'POST', '/api/v1/custom-fields', { name: fieldName, field_type: 'text' });
    expect(field.statusCode, field.body).toBe(201);
    const profile = await t.call(company.apiKey, 'POST', '/api/v1/profiles', {
      phone_number: phone, first_name: `${name} person`, email: `${name.toLowerCase()}@example.org`, custom_fields: { [fieldName]: `${name} value` },
    });
    expect(profile.statusCode, profile.body).toBe(201);
    expect((await t.call(company.apiKey, 'PATCH', `/api/v1/profiles/${profile.json().id}`, { city: `${name} city` })).statusCode).toBe(200);
    const userEmail = `${name.toLowerCase()}-editor-${process.pid}@example.org`;
    const userPassword = `${name} password long`;
    const user = await t.call(company.apiKey, 'POST', '/api/v1/users', { email: userEmail, password: userPassword, role: 'editor', name: `${name} editor` });
    expect(user.statusCode, user.body).toBe(201);
    const key = await t.call(company.apiKey, 'POST', '/api/v1/api-keys', { name: `${name} sync key`, role: 'editor' });
    expect(key.statusCode, key.body).toBe(201);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: company.adminEmail, password: company.adminPassword } });
    expect(login.statusCode).toBe(200);
    return {
      company,
      name,
      phone,
      profileId: profile.json().id,
      fieldId: field.json().id,
      fieldName,
      userId: user.json().id,
      userEmail,
      userPassword,
      keyId: key.json().id,
      key: key.json().key,
      session: { token: login.cookies.find((c) => c.name === 'roster_session')!.value, csrf: login.json().csrf_token },
    };
  }

  /** Everything B can see of itself, read with B's own admin key. */
  async function snapshot(x: Tenant) {
    const get = async (url: string) => {
      const res = await t.call(x.company.apiKey, 'GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      return res.json();
    };
    return {
      profile: await get(`/api/v1/profiles/${x.profileId}`),
      lookup: await get(`/api/v1/profiles/lookup?phone_number=${encodeURIComponent(x.phone)}`),
      fields: await get('/api/v1/custom-fields'),
      users: await get('/api/v1/users'),
      keys: (await get('/api/v1/api-keys')).data.map((k: { id: number; name: string; role: string; revoked_at: string | null }) => [k.id, k.name, k.role, k.revoked_at]),
      audit: await get('/api/v1/audit-log?limit=500'),
      company: await get('/api/v1/company'),
    };
  }

  beforeAll(async () => {
    t = await testApp(engine);
    A = await tenant('Alpha', '+12025550111', 'Alpha shirt size');
    B = await tenant('Bravo', '+12025550122', 'Bravo team');
  });

  /** Every request that names one of B's ids, with a body that would be valid for A's own rows. */
  function attemptsOn(b: Tenant): Array<{ method: Method; url: string; body?: unknown }> {
    return [
      { method: 'GET', url: `/api/v1/profiles/${b.profileId}` },
      { method: 'PATCH', url: `/api/v1/profiles/${b.profileId}`, body: { first_name: 'Hijacked' } },
      { method: 'PATCH', url: `/api/v1/profiles/${b.profileId}`, body: { phone_number: '+12025550133' } },
      { method: 'DELETE', url: `/api/v1/profiles/${b.profileId}` },
      { method: 'PATCH', url: `/api/v1/custom-fields/${b.fieldId}`, body: { name: 'Hijacked field' } },
      { method: 'PATCH', url: `/api/v1/custom-fields/${b.fieldId}`, body: { position: 0 } },
      { method: 'DELETE', url: `/api/v1/custom-fields/${b.fieldId}` },
      { method: 'PATCH', url: `/api/v1/users/${b.userId}`, body: { role: 'admin' } },
      { method: 'PATCH', url: `/api/v1/users/${b.userId}`, body: { password: 'taken over password' } },
      { method: 'PATCH', url: `/api/v1/users/${b.userId}`, body: { disabled: true } },
      { method: 'DELETE', url: `/api/v1/api-keys/${b.keyId}` },
      { method: 'GET', url: `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(b.phone)}` },
      { method: 'GET', url: `/api/v1/profiles/lookup?phone_number=${encodeURIComponent('(202) 555-0122')}` },
    ];
  }

  function expectNotFound(res: LightMyRequestResponse, what: string) {
    expect(res.statusCode, `${what}: ${res.body}`).toBe(404);
    const body = res.json();
    expect(body.error.code).toBe('not_found');
    // The answer gives nothing of B away.
    for (const secret of [B.name, B.fieldName, B.userEmail, B.phone.slice(2)]) expect(res.body, what).not.toContain(secret);
  }

  it('answers 404 (never 403) to A\'s admin key for every one of B\'s ids, and B\'s data is unchanged', async () => {
    const before = await snapshot(B);
    for (const attempt of attemptsOn(B)) {
      const res = await t.call(A.company.apiKey, attempt.method, attempt.url, attempt.body);
      expectNotFound(res, `${attempt.method} ${attempt.url}`);
    }
    expect(await snapshot(B)).toEqual(before);
    // B's key and users still work.
    expect((await t.call(B.key, 'GET', '/api/v1/session')).statusCode).toBe(200);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: B.userEmail, password: B.userPassword } });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.role).toBe('editor');
  });

  it('answers 404 to A\'s logged-in admin (cookie and CSRF) too', async () => {
    const before = await snapshot(B);
    for (const attempt of attemptsOn(B)) {
      const res = await t.app.inject({
        method: attempt.method,
        url: attempt.url,
        cookies: { roster_session: A.session.token },
        headers: { 'x-csrf-token': A.session.csrf },
        ...(attempt.body === undefined ? {} : { payload: attempt.body as object }),
      });
      expectNotFound(res, `cookie ${attempt.method} ${attempt.url}`);
    }
    expect(await snapshot(B)).toEqual(before);
  });

  it('answers 404 to A\'s editor key for B\'s profiles (what an editor may touch)', async () => {
    const before = await snapshot(B);
    for (const attempt of attemptsOn(B).filter((x) => x.url.includes('/profiles') && x.method !== 'DELETE')) {
      expectNotFound(await t.call(A.key, attempt.method, attempt.url, attempt.body), `editor ${attempt.method} ${attempt.url}`);
    }
    expect(await snapshot(B)).toEqual(before);
  });

  it('A\'s lists never contain B\'s rows', async () => {
    const fields = (await t.call(A.company.apiKey, 'GET', '/api/v1/custom-fields')).json().data as Array<{ id: number; name: string }>;
    expect(fields.map((f) => f.id)).toEqual([A.fieldId]);
    expect(fields.map((f) => f.name)).toEqual([A.fieldName]);

    const users = (await t.call(A.company.apiKey, 'GET', '/api/v1/users')).json().data as Array<{ id: number; email: string }>;
    expect(users.map((u) => u.email).sort()).toEqual([A.company.adminEmail, A.userEmail].sort());
    expect(users.map((u) => u.id)).not.toContain(B.userId);

    const keys = (await t.call(A.company.apiKey, 'GET', '/api/v1/api-keys')).json().data as Array<{ id: number; name: string }>;
    expect(keys.map((k) => k.id)).toContain(A.keyId);
    expect(keys.map((k) => k.id)).not.toContain(B.keyId);
    expect(keys.every((k) => !k.name.includes('Bravo'))).toBe(true);

    const auditRes = await t.call(A.company.apiKey, 'GET', '/api/v1/audit-log?limit=500');
    expect(auditRes.statusCode).toBe(200);
    expect(auditRes.body).not.toContain('Bravo');
    const audit = auditRes.json().data as Array<{ id: number; entity_type: string; entity_id: string | null }>;
    const own = await t.database.db.selectFrom('audit_log').select('id').where('company_id', '=', A.company.companyId).execute();
    expect(new Set(audit.map((e) => e.id))).toEqual(new Set(own.map((r) => r.id)));
    const bProfileEntries = audit.filter((e) => e.entity_type === 'profile' && e.entity_id === String(B.profileId));
    expect(bProfileEntries).toEqual([]);

    // Filtering and paging cannot reach B's entries either.
    for (const query of [
      `?entity_type=profile&entity_id=${B.profileId}`,
      `?entity_type=custom_field&entity_id=${B.fieldId}`,
      `?entity_type=user&entity_id=${B.userId}`,
      `?entity_type=api_key&entity_id=${B.keyId}`,
      `?entity_type=company&entity_id=${B.company.companyId}`,
    ]) {
      const res = await t.call(A.company.apiKey, 'GET', `/api/v1/audit-log${query}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().data, query).toEqual([]);
    }
    const maxB = (await t.call(B.company.apiKey, 'GET', '/api/v1/audit-log?limit=1')).json().data[0].id as number;
    const paged = (await t.call(A.company.apiKey, 'GET', `/api/v1/audit-log?limit=500&before_id=${maxB + 1}`)).json().data as Array<{ id: number }>;
    expect(paged.every((e) => own.some((r) => r.id === e.id))).toBe(true);

    const company = (await t.call(A.company.apiKey, 'GET', '/api/v1/company')).json();
    expect(company).toMatchObject({ id: A.company.companyId, name: 'Alpha' });
  });

  it('A cannot write to B\'s custom field by name, and the error lists only A\'s fields', async () => {
    const res = await t.call(A.company.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550144', custom_fields: { [B.fieldName]: 'x' } });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(A.fieldName);
    expect(res.body.replace(new RegExp(B.fieldName, 'g'), '')).not.toContain('Bravo');
    expect(res.json().error.message).toContain('is not a custom field of this company');
    expect((await t.call(A.company.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent('+12025550144')}`)).statusCode).toBe(404);
  });

  it('custom fields of the same name in A and B are two fields', async () => {
    const name = 'Shared name';
    const inA = await t.call(A.company.apiKey, 'POST', '/api/v1/custom-fields', { name, field_type: 'number' });
    const inB = await t.call(B.company.apiKey, 'POST', '/api/v1/custom-fields', { name, field_type: 'yes_no' });
    expect(inA.statusCode, inA.body).toBe(201);
    expect(inB.statusCode, inB.body).toBe(201);
    expect(inA.json().id).not.toBe(inB.json().id);
    expect((await t.call(A.company.apiKey, 'DELETE', `/api/v1/custom-fields/${inA.json().id}`)).statusCode).toBe(204);
    const bFields = (await t.call(B.company.apiKey, 'GET', '/api/v1/custom-fields')).json().data;
    expect(bFields.find((f: { name: string }) => f.name === name)).toMatchObject({ id: inB.json().id, field_type: 'yes_no' });
  });

  it('the same phone number in A and B is two different profiles', async () => {
    const phone = '+12025550155';
    const inA = await t.call(A.company.apiKey, 'POST', '/api/v1/profiles', { phone_number: phone, first_name: 'Alpha twin', custom_fields: { [A.fieldName]: 'M' } });
    expect(inA.statusCode, inA.body).toBe(201);
    // Written differently in B, still created rather than matched to A's.
    const inB = await t.call(B.company.apiKey, 'POST', '/api/v1/profiles', { phone_number: '(202) 555-0155', first_name: 'Bravo twin', custom_fields: { [B.fieldName]: 'Blue' } });
    expect(inB.statusCode, inB.body).toBe(201);
    expect(inB.json().id).not.toBe(inA.json().id);
    expect(inB.json()).toMatchObject({ phone_number: phone, first_name: 'Bravo twin', source_type: 'API' });
    expect(inB.json().custom_fields).not.toHaveProperty(A.fieldName);

    const lookA = (await t.call(A.company.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`)).json();
    const lookB = (await t.call(B.company.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`)).json();
    expect(lookA).toMatchObject({ id: inA.json().id, first_name: 'Alpha twin', custom_fields: { [A.fieldName]: 'M' } });
    expect(lookB).toMatchObject({ id: inB.json().id, first_name: 'Bravo twin', custom_fields: { [B.fieldName]: 'Blue' } });

    // Changing A's leaves B's alone, and an upsert in A matches A's only.
    expect((await t.call(A.company.apiKey, 'POST', '/api/v1/profiles', { phone_number: '202-555-0155', last_name: 'Updated in A' })).statusCode).toBe(200);
    expect((await t.call(B.company.apiKey, 'GET', `/api/v1/profiles/${inB.json().id}`)).json().last_name).toBeNull();

    // Numbers are unique per company: a number B has does not stop A giving it to one of A's profiles.
    const onlyInB = await t.call(B.company.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550188' });
    expect(onlyInB.statusCode).toBe(201);
    const other = await t.call(A.company.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550166' });
    expect(other.statusCode).toBe(201);
    const moved = await t.call(A.company.apiKey, 'PATCH', `/api/v1/profiles/${other.json().id}`, { phone_number: '+12025550188' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().id).toBe(other.json().id);
    expect((await t.call(B.company.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent('+12025550188')}`)).json().id).toBe(onlyInB.json().id);

    // Deleting A's copy leaves B's profile and lookup intact.
    expect((await t.call(A.company.apiKey, 'DELETE', `/api/v1/profiles/${inA.json().id}`)).statusCode).toBe(204);
    expect((await t.call(A.company.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`)).statusCode).toBe(404);
    const stillB = await t.call(B.company.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`);
    expect(stillB.statusCode).toBe(200);
    expect(stillB.json()).toMatchObject({ id: inB.json().id, first_name: 'Bravo twin' });
    // A's deletion erased A's audit entries only.
    const bAudit = (await t.call(B.company.apiKey, 'GET', `/api/v1/audit-log?entity_type=profile&entity_id=${inB.json().id}`)).json().data;
    expect(bAudit[0].changes.first_name).toEqual({ before: null, after: 'Bravo twin' });
  });

  it('B\'s keys and sessions are unaffected by A revoking and logging out', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: A.company.adminEmail, password: A.company.adminPassword } });
    const session = { token: login.cookies.find((c) => c.name === 'roster_session')!.value, csrf: login.json().csrf_token as string };
    const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: { roster_session: session.token }, headers: { 'x-csrf-token': session.csrf } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/session', cookies: { roster_session: B.session.token } })).statusCode).toBe(200);
    expect((await t.call(B.key, 'GET', '/api/v1/session')).json().company.id).toBe(B.company.companyId);
  });
});
