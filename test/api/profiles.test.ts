import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';

describeEachEngine('profiles API', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('A');
  });

  it('creates with 201, then updates the same number written differently with 200', async () => {
    const created = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: '(202) 555-0143', first_name: 'Ada' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.phone_number).toBe('+12025550143');
    expect(body.source_type).toBe('API');
    expect(body.status).toBe('No Subscriptions');
    const again = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+1 202 555 0143', last_name: 'Lovelace' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: body.id, first_name: 'Ada', last_name: 'Lovelace', created_at: body.created_at });
  });

  it('rejects an invalid number with a 422 naming the field and value', async () => {
    const res = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: '1 Main Street' });
    expect(res.statusCode).toBe(422);
    const { error } = res.json();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('phone_number');
    expect(error.message).toContain('1 Main Street');
    expect(error.details.fields[0]).toMatchObject({ field: 'phone_number', value: '1 Main Street' });
  });
});
