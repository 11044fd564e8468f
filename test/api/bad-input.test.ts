import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';

const MB = 1024 * 1024;

/** The one error shape every failure answers with. */
function expectError(res: LightMyRequestResponse, status: number, code: string): { code: string; message: string; details: Record<string, unknown> } {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
  expect(body.error.message).not.toMatch(/\n\s+at /); // no stack
  return body.error;
}

function fieldsOf(error: { details: Record<string, unknown> }): string[] {
  return ((error.details.fields ?? []) as Array<{ field: string }>).map((f) => f.field).sort();
}

describeEachEngine('bad input', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  const statuses: number[] = [];
  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Bad input');
    await t.call(a.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Notes', field_type: 'text' });
    await t.call(a.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Age', field_type: 'age' });
  });
  // Whatever a test asserts, no answer may be a server error.
  afterEach(() => {
    const seen = statuses.splice(0);
    expect(seen.filter((s) => s >= 500)).toEqual([]);
  });

  async function raw(method: 'POST' | 'PATCH' | 'GET' | 'DELETE', url: string, payload?: string | Buffer, contentType?: string): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${a.apiKey}` };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    statuses.push(res.statusCode);
    return res;
  }
  async function call(method: 'POST' | 'PATCH' | 'GET' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> {
    const res = await t.call(a.apiKey, method, url, body);
    statuses.push(res.statusCode);
    return res;
  }
  const post = (body: unknown) => call('POST', '/api/v1/profiles', body);
  const profileCount = async () =>
    Number((await t.database.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', a.companyId).executeTakeFirstOrThrow()).n);

  describe('the body', () => {
    it.each(['{"phone_number": ', '{phone_number: "2025550100"}', "{'phone_number': '2025550100'}", '{"phone_number": "2025550100",}', 'nul\u0000l'])(
      'malformed JSON %j → 400 invalid_json',
      async (payload) => {
        const error = expectError(await raw('POST', '/api/v1/profiles', payload, 'application/json'), 400, 'invalid_json');
        expect(error.message).toContain('not valid JSON');
      },
    );

    it('a large malformed body is answered with a short message', async () => {
      const res = await raw('POST', '/api/v1/profiles', `{"phone_number":"2025550100","first_name":"${'x'.repeat(3 * MB)}`, 'application/json');
      expectError(res, 400, 'invalid_json');
      expect(res.body.length).toBeLessThan(4096);
    });

    it('an empty JSON body → 400 saying it is empty', async () => {
      const error = expectError(await raw('POST', '/api/v1/profiles', '', 'application/json'), 400, 'invalid_json');
      expect(error.message).toContain('empty');
    });

    it('no body at all → 422 saying a JSON object is needed', async () => {
      const error = expectError(await raw('POST', '/api/v1/profiles'), 422, 'invalid_input');
      expect(error.message).toContain('(body)');
      expect(error.message).toContain('application/json');
    });

    it.each(['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png'])('Content-Type %s → 415 naming what is accepted', async (type) => {
      const error = expectError(await raw('POST', '/api/v1/profiles', 'phone_number=2025550100', type), 415, 'unsupported_media_type');
      expect(error.message).toContain('application/json');
    });

    it('text/plain is not read as a profile, and the answer says to send JSON', async () => {
      const before = await profileCount();
      const error = expectError(await raw('POST', '/api/v1/profiles', '{"phone_number":"2025550100"}', 'text/plain'), 422, 'invalid_input');
      expect(error.message).toContain('text/plain');
      expect(error.message).toContain('Content-Type: application/json');
      expect(await profileCount()).toBe(before);
    });

    it.each(['[]', '"2025550100"', '42', 'null', 'true'])('a JSON %s instead of an object → 4xx naming the body', async (payload) => {
      const res = await raw('POST', '/api/v1/profiles', payload, 'application/json');
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().error.code).toMatch(/invalid_input|invalid_json/);
    });

    it('refuses prototype-poisoning keys without a 500', async () => {
      for (const payload of ['{"phone_number":"2025550100","__proto__":{"admin":true}}', '{"phone_number":"2025550100","constructor":{"prototype":{"x":1}}}', '{"phone_number":"2025550100","custom_fields":{"__proto__":"x"}}']) {
        const res = await raw('POST', '/api/v1/profiles', payload, 'application/json');
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('deeply nested JSON is refused, not a crash', async () => {
      const depth = 100_000;
      const res = await raw('POST', '/api/v1/profiles', `{"phone_number":"2025550100","custom_fields":{"Notes":${'['.repeat(depth)}${']'.repeat(depth)}}}`, 'application/json');
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    });

    it('bytes that are not UTF-8 do not crash', async () => {
      const payload = Buffer.concat([Buffer.from('{"phone_number":"2025550100","first_name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
      const res = await raw('POST', '/api/v1/profiles', payload, 'application/json');
      expect(res.statusCode).toBeLessThan(500);
    });

    it('a 5 MB body → 413 with the error shape', async () => {
      const payload = JSON.stringify({ phone_number: '2025550100', first_name: 'x'.repeat(5 * MB) });
      const before = await profileCount();
      const error = expectError(await raw('POST', '/api/v1/profiles', payload, 'application/json'), 413, 'payload_too_large');
      expect(error.message).toMatch(/bytes/);
      expect(await profileCount()).toBe(before);
    });
  });

  describe('fields', () => {
    it('unknown top-level fields → 422 naming each of them', async () => {
      const error = expectError(await post({ phone_number: '2025550100', nickname: 'Ace', favourite_colour: 'red' }), 422, 'invalid_input');
      expect(error.message).toContain('nickname');
      expect(error.message).toContain('favourite_colour');
      expect(fieldsOf(error)).toEqual(['favourite_colour', 'nickname']);
    });

    it.each([
      ['first_name', { first_name: 42 }],
      ['first_name', { first_name: ['Ada'] }],
      ['email', { email: true }],
      ['custom_fields', { custom_fields: ['Notes', 'x'] }],
      ['custom_fields', { custom_fields: 'Notes=x' }],
      ['custom_fields.Notes', { custom_fields: { Notes: { text: 'x' } } }],
      ['custom_fields.Age', { custom_fields: { Age: [30] } }],
    ])('a wrong type → 422 naming %s and what is accepted', async (field, body) => {
      const error = expectError(await post({ phone_number: '2025550100', ...body }), 422, 'invalid_input');
      expect(error.message).toContain(field);
      expect(error.message).toContain('(accepted: ');
      expect(fieldsOf(error)).toEqual([field]);
    });

    it.each([{ phone_number: { number: '2025550100' } }, { phone_number: 2025550100 }, { phone_number: ['2025550100'] }, { phone_number: null }])(
      'a phone_number that is not a string (%j) → 422 naming phone_number',
      async (body) => {
        const error = expectError(await post(body), 422, 'invalid_input');
        expect(error.message).toContain('phone_number');
        expect(fieldsOf(error)).toEqual(['phone_number']);
      },
    );

    it('a 1 MB first_name → 422 naming first_name and its maximum, echoing only a little of it', async () => {
      const before = await profileCount();
      const res = await post({ phone_number: '2025550100', first_name: 'é'.repeat(MB) });
      const error = expectError(res, 422, 'invalid_input');
      expect(error.message).toContain('first_name');
      expect(error.message).toContain('at most 200 characters');
      expect(res.body.length).toBeLessThan(4096);
      expect(await profileCount()).toBe(before);
    });

    it('1 MB values elsewhere are refused as compactly', async () => {
      const { id } = (await post({ phone_number: '2025550101' })).json();
      const huge = 'x'.repeat(MB);
      const answers = [
        ['email', await post({ phone_number: '2025550100', email: `${huge}@example.org` })],
        ['phone_number', await post({ phone_number: huge })],
        ['custom_fields.Notes', await post({ phone_number: '2025550100', custom_fields: { Notes: huge } })],
        [huge.slice(0, 20), await post({ phone_number: '2025550100', [huge]: 'x' })],
        ['custom_fields', await post({ phone_number: '2025550100', custom_fields: { [huge]: 'x' } })],
        ['last_name', await call('PATCH', `/api/v1/profiles/${id}`, { last_name: huge })],
        ['name', await call('POST', '/api/v1/custom-fields', { name: huge, field_type: 'text' })],
        ['phone_number', await call('GET', `/api/v1/profiles/lookup?phone_number=${'1'.repeat(100_000)}`)],
      ] as const;
      for (const [field, res] of answers) {
        expect(res.statusCode, field).toBe(422);
        expect(res.json().error.message).toContain(field);
        expect(res.body.length, field).toBeLessThan(4096);
      }
    });

    it.each([
      ["'); DROP TABLE profiles;--"],
      ["Robert'); DELETE FROM profiles WHERE ('1'='1"],
      ['1; UPDATE profiles SET first_name = NULL'],
      ['" OR ""="'],
      ['\\\'; --'],
      ['%_*'],
    ])('stores SQL-looking %j faithfully and leaves the table intact', async (text) => {
      const existing = (await post({ phone_number: '2025550102', first_name: 'Bystander' })).json();
      const before = await profileCount();
      const created = await post({ phone_number: '2025550103', first_name: text, last_name: text, city: text, custom_fields: { Notes: text } });
      expect(created.statusCode).toBeLessThan(300);
      const view = (await call('GET', `/api/v1/profiles/${created.json().id}`)).json();
      expect(view).toMatchObject({ first_name: text, last_name: text, city: text, custom_fields: { Notes: text } });
      expect(await profileCount()).toBe(created.statusCode === 201 ? before + 1 : before);
      expect((await call('GET', `/api/v1/profiles/${existing.id}`)).json().first_name).toBe('Bystander');
      const stored = await t.database.db.selectFrom('profiles').select('first_name').where('id', '=', created.json().id).executeTakeFirstOrThrow();
      expect(stored.first_name).toBe(text);
    });

    it.each([
      ['Zoë 🌻'],
      ['李小龍'],
      ['Nguyễn'],
      ['محمد عبد الله'],
      ['שָׁלוֹם'],
      ['e\u0301 n\u0303 a\u030a'], // decomposed: must not be re-composed
      ['Zoe\u0308'],
      ['👩🏽‍🔬 🏳️‍🌈'],
      ['\u202Eevil\u202C'],
      ['𝔘𝔫𝔦𝔠𝔬𝔡𝔢'],
    ])('stores %j byte-identically', async (name) => {
      const created = await post({ phone_number: '2025550104', first_name: name, last_name: name, custom_fields: { Notes: name } });
      expect(created.statusCode).toBeLessThan(300);
      for (const res of [created, await call('GET', `/api/v1/profiles/${created.json().id}`)]) {
        const view = res.json();
        expect(Buffer.from(view.first_name, 'utf8').equals(Buffer.from(name, 'utf8'))).toBe(true);
        expect(Buffer.from(view.last_name, 'utf8').equals(Buffer.from(name, 'utf8'))).toBe(true);
        expect(Buffer.from(view.custom_fields.Notes, 'utf8').equals(Buffer.from(name, 'utf8'))).toBe(true);
      }
      const stored = await t.database.db.selectFrom('profiles').select('first_name').where('id', '=', created.json().id).executeTakeFirstOrThrow();
      expect(stored.first_name).toBe(name);
    });

    it.each([
      ['first_name', { first_name: 'Ada\u0000Lovelace' }],
      ['last_name', { last_name: '\u0000' }],
      ['city', { city: 'Bell\u0007' }],
      ['email', { email: 'ada\u0000@example.org' }],
      ['custom_fields.Notes', { custom_fields: { Notes: 'a\u0000b' } }],
      ['phone_number', { phone_number: '202555\u00000100' }],
    ])('a NUL or control character in %s → 422 naming it', async (field, body) => {
      const before = await profileCount();
      const error = expectError(await post({ phone_number: '2025550105', ...body }), 422, 'invalid_input');
      expect(error.message).toContain(field);
      expect(fieldsOf(error)).toEqual([field]);
      expect(await profileCount()).toBe(before);
    });

    it('tabs and newlines are allowed in addresses', async () => {
      const res = await post({ phone_number: '2025550106', street1: 'Apt 4\n12 Main St', street2: 'c/o\tFront desk' });
      expect(res.statusCode).toBeLessThan(300);
      expect(res.json()).toMatchObject({ street1: 'Apt 4\n12 Main St', street2: 'c/o\tFront desk' });
    });

    it.each([['first_name'], ['custom_fields.Notes']])('a lone surrogate in %s → 422, since it cannot be stored faithfully', async (field) => {
      const payload = field === 'first_name'
        ? '{"phone_number":"2025550107","first_name":"bad \\ud800 half"}'
        : '{"phone_number":"2025550107","custom_fields":{"Notes":"bad \\udc00 half"}}';
      const error = expectError(await raw('POST', '/api/v1/profiles', payload, 'application/json'), 422, 'invalid_input');
      expect(error.message).toContain(field);
    });

    it('numbers JSON cannot hold exactly are refused, not stored wrong', async () => {
      const res = await raw('POST', '/api/v1/profiles', '{"phone_number":"2025550108","custom_fields":{"Age":1e400}}', 'application/json');
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toContain('custom_fields.Age');
    });
  });

  describe('ids and query strings', () => {
    it.each(['99999999999999999999', '9007199254740993', '1e999'])('a huge id %s → 422 or 404', async (id) => {
      for (const [method, url] of [['GET', `/api/v1/profiles/${id}`], ['PATCH', `/api/v1/profiles/${id}`], ['DELETE', `/api/v1/profiles/${id}`], ['PATCH', `/api/v1/custom-fields/${id}`], ['DELETE', `/api/v1/custom-fields/${id}`]] as const) {
        const res = await call(method, url, method === 'PATCH' ? { name: 'x' } : undefined);
        expect([404, 422]).toContain(res.statusCode);
        expect(res.json().error.code).toMatch(/not_found|invalid_input/);
      }
    });

    it.each(['0', '-1', '-99999999999999999999', 'abc', '1.5', 'NaN', 'Infinity', '%20', 'null', '1%00'])('the id %j → 422 naming path.id', async (id) => {
      for (const [method, url] of [['GET', `/api/v1/profiles/${id}`], ['PATCH', `/api/v1/profiles/${id}`], ['DELETE', `/api/v1/profiles/${id}`], ['DELETE', `/api/v1/custom-fields/${id}`]] as const) {
        const res = await call(method, url, method === 'PATCH' ? { first_name: 'x' } : undefined);
        const error = expectError(res, 422, 'invalid_input');
        expect(error.message).toContain('path.id');
      }
    });

    it('an over-long path segment → 4xx', async () => {
      const res = await call('GET', `/api/v1/profiles/${'9'.repeat(5000)}`);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    });

    it('lookup: repeated, missing, unknown or junk query parameters → 422', async () => {
      for (const query of ['phone_number=2025550100&phone_number=2025550101', '', 'phone=2025550100', 'phone_number=2025550100&debug=1', 'phone_number=%00', 'phone_number=%E0%A4%A']) {
        const res = await call('GET', `/api/v1/profiles/lookup?${query}`);
        expect(res.statusCode, query).toBe(422);
      }
    });
  });

  describe('nothing already stored is lost', () => {
    it('a stream of bad requests leaves an existing profile exactly as it was', async () => {
      const before = (await post({ phone_number: '2025550110', first_name: 'Steady', custom_fields: { Notes: 'kept', Age: 33 } })).json();
      const id = before.id as number;
      const bad: Array<() => Promise<LightMyRequestResponse>> = [
        () => post({ phone_number: '2025550110', first_name: 'x'.repeat(MB) }),
        () => post({ phone_number: '2025550110', first_name: 'New', custom_fields: { Age: 'old' } }),
        () => post({ phone_number: '2025550110', first_name: 'New', created_at: '2020-01-01T00:00:00Z' }),
        () => post({ phone_number: '2025550110', first_name: 'New\u0000' }),
        () => call('PATCH', `/api/v1/profiles/${id}`, { first_name: 'New', email: 'bad' }),
        () => call('PATCH', `/api/v1/profiles/${id}`, { first_name: 'New', custom_fields: { Unknown: 1 } }),
        () => call('PATCH', `/api/v1/profiles/${id}`, { first_name: 'New', phone_number: 'nope' }),
        () => raw('PATCH', `/api/v1/profiles/${id}`, '{"first_name": "New"', 'application/json'),
        () => raw('PATCH', `/api/v1/profiles/${id}`, JSON.stringify({ first_name: 'y'.repeat(5 * MB) }), 'application/json'),
      ];
      for (const send of bad) expect((await send()).statusCode).toBeGreaterThanOrEqual(400);
      expect((await call('GET', `/api/v1/profiles/${id}`)).json()).toEqual(before);
    });
  });
});
