import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';

/**
 * What the kept reads (src/db/short-cache.ts) must never change: an API key used a moment ago and then revoked is
 * refused at once, a custom field added, renamed or deleted shows in the very next Profiles list, new gender options
 * are accepted at once, and nothing kept for one company or one database answers for another.
 */
describeEachEngine('kept API keys and custom-field contexts', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let b: TestCompany;

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Kept A');
    b = await t.company('Kept B');
    for (const [company, phone] of [[a, '+12025550141'], [b, '+12025550142']] as const) {
      expect((await t.call(company.apiKey, 'POST', '/api/v1/profiles', { phone_number: phone })).statusCode).toBe(201);
    }
  });

  async function list(company: TestCompany, search = '') {
    const res = await t.call(company.apiKey, 'GET', `/api/v1/profiles${search}`);
    return res;
  }

  it('a key used a moment ago and then revoked is refused at the next request', async () => {
    const created = (await t.call(a.apiKey, 'POST', '/api/v1/api-keys', { name: 'kept then revoked', role: 'viewer' })).json();
    for (let i = 0; i < 3; i++) expect((await list({ ...a, apiKey: created.key })).statusCode).toBe(200);
    expect((await t.call(a.apiKey, 'DELETE', `/api/v1/api-keys/${created.id}`)).statusCode).toBe(200);
    const refused = await list({ ...a, apiKey: created.key });
    expect(refused.statusCode, refused.body).toBe(401);
    expect(refused.json().error.message).toBe('The API key is not valid or has been revoked');
    // The company's other key is untouched.
    expect((await list(a)).statusCode).toBe(200);
  });

  it('a key kept by one database is not accepted by another (company ids repeat across databases)', async () => {
    const other = await testApp(engine);
    const otherCompany = await other.company('Other database');
    expect(otherCompany.companyId).toBe(a.companyId);
    expect((await list(a)).statusCode).toBe(200);
    const res = await other.call(a.apiKey, 'GET', '/api/v1/profiles');
    expect(res.statusCode, res.body).toBe(401);
    expect((await other.call(otherCompany.apiKey, 'GET', '/api/v1/profiles')).statusCode).toBe(200);
    expect((await t.call(otherCompany.apiKey, 'GET', '/api/v1/profiles')).statusCode).toBe(401);
  });

  it('a custom field added, renamed or deleted shows in the next list; another company never sees it', async () => {
    const fieldsOf = async (company: TestCompany) => Object.keys((await list(company)).json().data[0].custom_fields);
    const before = await fieldsOf(a);
    expect(await fieldsOf(b)).toEqual([]);
    const created = await t.call(a.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Ward', field_type: 'text' });
    expect(created.statusCode, created.body).toBe(201);
    const field = created.json();
    expect(await fieldsOf(a)).toEqual([...before, 'Ward']);
    // A filter on the new field is understood at once.
    const filtered = await list(a, `?custom_field=${field.id}:empty`);
    expect(filtered.statusCode, filtered.body).toBe(200);
    expect(filtered.json().total).toBe(1);
    // Company B neither shows it nor can filter on it.
    expect(await fieldsOf(b)).toEqual([]);
    expect((await list(b, `?custom_field=${field.id}:empty`)).statusCode).toBe(422);

    expect((await t.call(a.apiKey, 'PATCH', `/api/v1/custom-fields/${field.id}`, { name: 'Precinct' })).statusCode).toBe(200);
    expect(await fieldsOf(a)).toEqual([...before, 'Precinct']);
    expect((await t.call(a.apiKey, 'DELETE', `/api/v1/custom-fields/${field.id}`)).statusCode).toBe(204);
    expect(await fieldsOf(a)).toEqual(before);
    const gone = await list(a, `?custom_field=${field.id}:empty`);
    expect(gone.statusCode).toBe(422);
    expect(gone.json().error.details).toMatchObject({ fields: [{ field: 'custom_field' }] });
  });

  it('new gender options are accepted by the next list request', async () => {
    const gender = (await t.call(a.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Gender identity', field_type: 'gender' })).json();
    const filter = `?custom_field=${gender.id}:in:Two-spirit`;
    expect((await list(a, filter)).statusCode).toBe(422);
    const settings = (await t.call(a.apiKey, 'GET', '/api/v1/company')).json();
    const changed = await t.call(a.apiKey, 'PATCH', '/api/v1/company', { gender_options: [...settings.gender_options, 'Two-spirit'] });
    expect(changed.statusCode, changed.body).toBe(200);
    const res = await list(a, filter);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().total).toBe(0);
  });
});

describe('ShortCache', () => {
  it('does not keep a value read while forget() was called, nor one already expired', async () => {
    const { ShortCache } = await import('../../src/db/short-cache.js');
    const { freshDatabase } = await import('../db.js');
    const database = await freshDatabase('sqlite');
    const cache = new ShortCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    let reads = 0;
    const read = async () => ({ value: { n: ++reads } });

    expect(await cache.get(database, 'k', read)).toEqual({ n: 1 });
    expect(await cache.get(database, 'k', read)).toEqual({ n: 1 });
    cache.forget();
    expect(await cache.get(database, 'k', read)).toEqual({ n: 2 });

    // A write commits (forget) while a read is under way: that read serves its own request only.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const pending = cache.get(database, 'slow', async () => {
      await held;
      return { value: { n: ++reads } };
    });
    cache.forget();
    release();
    expect(await pending).toEqual({ n: 3 });
    expect(await cache.get(database, 'slow', read)).toEqual({ n: 4 });

    // Past its own expiry (a session's end, say) a value is not kept at all; "not found" never is.
    expect(await cache.get(database, 'expired', async () => ({ value: { n: ++reads }, expiresAt: Date.now() - 1 }))).toEqual({ n: 5 });
    expect(await cache.get(database, 'expired', read)).toEqual({ n: 6 });
    expect(await cache.get(database, 'missing', async () => undefined)).toBeUndefined();
    expect(await cache.get(database, 'missing', read)).toEqual({ n: 7 });
  });
});
