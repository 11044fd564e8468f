import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';

interface AuditRecord {
  id: number;
  created_at: string;
  actor: { type: string; id: number | null; label: string };
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
}

describeEachEngine('audit log API', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let adminKeyId: number;
  let adminKeyLabel: string;

  async function audit(company: TestCompany, query = ''): Promise<{ data: AuditRecord[]; next_before_id: number | null }> {
    const res = await t.call(company.apiKey, 'GET', `/api/v1/audit-log${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  /** Entries written since `sinceId`, oldest first. */
  async function entriesSince(company: TestCompany, sinceId: number): Promise<AuditRecord[]> {
    return (await audit(company, '?limit=500')).data.filter((e) => e.id > sinceId).reverse();
  }

  async function latestId(company: TestCompany): Promise<number> {
    return (await audit(company, '?limit=1')).data[0]?.id ?? 0;
  }

  function expectWhen(entry: AuditRecord, from: number) {
    expect(entry.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const at = Date.parse(entry.created_at);
    expect(at).toBeGreaterThanOrEqual(from - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  }

  async function login(email: string, password: string) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
    expect(res.statusCode, res.body).toBe(200);
    return { token: res.cookies.find((c) => c.name === 'roster_session')!.value, csrf: res.json().csrf_token as string, userId: res.json().user.id as number };
  }

  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('Audit A');
    const keys = (await t.call(a.apiKey, 'GET', '/api/v1/api-keys')).json().data;
    adminKeyId = keys[0].id;
    adminKeyLabel = (await t.call(a.apiKey, 'GET', '/api/v1/session')).json().actor.label;
  });

  it('records the company\'s creation, its first admin and its first key, by the system', async () => {
    const c = await t.company('Fresh');
    const entries = (await audit(c)).data.reverse();
    expect(entries.map((e) => e.action)).toEqual(['company.created', 'user.created', 'api_key.created']);
    for (const e of entries) expect(e.actor).toEqual({ type: 'system', id: null, label: 'system' });
    expect(entries[0]).toMatchObject({ entity_type: 'company', entity_id: String(c.companyId), changes: { name: { before: null, after: 'Fresh' } } });
    expect(entries[1]!.changes.email).toEqual({ before: null, after: c.adminEmail });
    const key = (await t.call(c.apiKey, 'GET', '/api/v1/api-keys')).json().data[0];
    // The key's entry names the key, so filtering by entity finds it.
    expect(entries[2]).toMatchObject({ entity_type: 'api_key', entity_id: String(key.id) });
    const byKey = (await audit(c, `?entity_type=api_key&entity_id=${key.id}`)).data;
    expect(byKey.map((e) => e.action)).toEqual(['api_key.created']);
    expect(JSON.stringify(entries)).not.toContain(c.apiKey);
  });

  it('records a profile\'s creation, update and deletion with who, when, and only the changed fields', async () => {
    const start = Date.now();
    const since = await latestId(a);
    const created = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: '(202) 555-0170', first_name: 'Ada', email: 'ada@example.org' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;

    let [entry] = await entriesSince(a, since);
    expect(entry).toMatchObject({
      action: 'profile.created',
      entity_type: 'profile',
      entity_id: String(id),
      actor: { type: 'api_key', id: adminKeyId, label: adminKeyLabel },
    });
    expect(entry!.actor.label).toContain((await t.call(a.apiKey, 'GET', '/api/v1/api-keys')).json().data[0].prefix);
    expectWhen(entry!, start);
    expect(entry!.changes).toMatchObject({
      phone_number: { before: null, after: '+12025550170' },
      first_name: { before: null, after: 'Ada' },
      email: { before: null, after: 'ada@example.org' },
    });
    // Fields left empty are not listed.
    expect(entry!.changes).not.toHaveProperty('last_name');
    expect(entry!.changes).not.toHaveProperty('city');

    // An update by a logged-in user: only what changed, with before and after.
    const session = await login(a.adminEmail, a.adminPassword);
    const beforeUpdate = await latestId(a);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/profiles/${id}`,
      cookies: { roster_session: session.token },
      headers: { 'x-csrf-token': session.csrf },
      payload: { first_name: 'Ada', last_name: 'Lovelace', email: 'ADA@example.org', city: 'London' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const updates = await entriesSince(a, beforeUpdate);
    expect(updates).toHaveLength(1);
    entry = updates[0];
    expect(entry).toMatchObject({ action: 'profile.updated', entity_type: 'profile', entity_id: String(id), actor: { type: 'user', id: session.userId, label: a.adminEmail } });
    expect(entry!.changes).toEqual({
      last_name: { before: null, after: 'Lovelace' },
      city: { before: null, after: 'London' },
    });
    expectWhen(entry!, start);

    const cleared = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { city: null, first_name: 'Augusta' });
    expect(cleared.statusCode).toBe(200);
    expect((await audit(a, '?limit=1')).data[0]!.changes).toEqual({
      first_name: { before: 'Ada', after: 'Augusta' },
      city: { before: 'London', after: null },
    });

    const beforeDelete = await latestId(a);
    expect((await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${id}`)).statusCode).toBe(204);
    const deletions = await entriesSince(a, beforeDelete);
    expect(deletions).toHaveLength(1);
    expect(deletions[0]).toMatchObject({ action: 'profile.deleted', entity_type: 'profile', entity_id: String(id), actor: { type: 'api_key', id: adminKeyId } });
    expectWhen(deletions[0]!, start);
  });

  it('records custom field changes (with the field name) on a profile', async () => {
    const field = await t.call(a.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Age group', field_type: 'age' });
    expect(field.statusCode).toBe(201);
    const created = await t.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550171', custom_fields: { 'Age group': '42' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    expect((await audit(a, '?limit=1')).data[0]!.changes['custom_fields.Age group']).toEqual({ before: null, after: 42 });
    const since = await latestId(a);
    expect((await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { custom_fields: { 'age group': 43 } })).statusCode).toBe(200);
    const [entry] = await entriesSince(a, since);
    expect(entry!.changes).toEqual({ 'custom_fields.Age group': { before: 42, after: 43 } });
  });

  it('records custom field creation, renaming and deletion', async () => {
    const since = await latestId(a);
    const created = await t.call(a.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Favourite colour', field_type: 'text' });
    expect(created.statusCode).toBe(201);
    const fieldId = created.json().id as number;
    expect((await t.call(a.apiKey, 'PATCH', `/api/v1/custom-fields/${fieldId}`, { name: 'Favorite color' })).statusCode).toBe(200);
    expect((await t.call(a.apiKey, 'DELETE', `/api/v1/custom-fields/${fieldId}`)).statusCode).toBe(204);

    const entries = await entriesSince(a, since);
    expect(entries.map((e) => e.action)).toEqual(['custom_field.created', 'custom_field.updated', 'custom_field.deleted']);
    for (const e of entries) {
      expect(e).toMatchObject({ entity_type: 'custom_field', entity_id: String(fieldId), actor: { type: 'api_key', id: adminKeyId } });
    }
    expect(entries[0]!.changes).toEqual({ name: { before: null, after: 'Favourite colour' }, field_type: { before: null, after: 'text' } });
    // Only the name changed: neither type nor position is listed.
    expect(entries[1]!.changes).toEqual({ name: { before: 'Favourite colour', after: 'Favorite color' } });
    expect(entries[2]!.changes).toMatchObject({ name: { before: 'Favorite color', after: null } });
  });

  it('records user creation and changes without the password or its hash', async () => {
    const since = await latestId(a);
    const email = `audited-${process.pid}@example.org`;
    const res = await t.call(a.apiKey, 'POST', '/api/v1/users', { email, password: 'secret password 1', role: 'viewer', name: 'Aud Ited' });
    expect(res.statusCode).toBe(201);
    const userId = res.json().id as number;
    expect((await t.call(a.apiKey, 'PATCH', `/api/v1/users/${userId}`, { role: 'editor', name: 'Aud Ited', password: 'secret password 2' })).statusCode).toBe(200);
    expect((await t.call(a.apiKey, 'PATCH', `/api/v1/users/${userId}`, { disabled: true })).statusCode).toBe(200);

    const entries = await entriesSince(a, since);
    expect(entries.map((e) => e.action)).toEqual(['user.created', 'user.updated', 'user.updated']);
    for (const e of entries) expect(e).toMatchObject({ entity_type: 'user', entity_id: String(userId), actor: { type: 'api_key', id: adminKeyId } });
    expect(entries[0]!.changes).toEqual({ email: { before: null, after: email }, role: { before: null, after: 'viewer' }, name: { before: null, after: 'Aud Ited' } });
    expect(entries[1]!.changes).toEqual({ role: { before: 'viewer', after: 'editor' }, password: { before: '(hidden)', after: '(changed)' } });
    expect(Object.keys(entries[2]!.changes)).toEqual(['disabled_at']);
    expect(entries[2]!.changes.disabled_at!.before).toBeNull();
    expect(typeof entries[2]!.changes.disabled_at!.after).toBe('string');
    const text = JSON.stringify(entries);
    expect(text).not.toContain('secret password');
    expect(text).not.toContain('$argon2');
  });

  it('records API key creation and revocation, never the key', async () => {
    const since = await latestId(a);
    const res = await t.call(a.apiKey, 'POST', '/api/v1/api-keys', { name: 'Nightly sync', role: 'viewer' });
    expect(res.statusCode).toBe(201);
    const key = res.json();
    expect((await t.call(a.apiKey, 'DELETE', `/api/v1/api-keys/${key.id}`)).statusCode).toBe(200);
    // Revoking twice changes nothing and records nothing more.
    expect((await t.call(a.apiKey, 'DELETE', `/api/v1/api-keys/${key.id}`)).statusCode).toBe(200);

    const entries = await entriesSince(a, since);
    expect(entries.map((e) => e.action)).toEqual(['api_key.created', 'api_key.revoked']);
    for (const e of entries) expect(e).toMatchObject({ entity_type: 'api_key', entity_id: String(key.id), actor: { type: 'api_key', id: adminKeyId } });
    expect(entries[0]!.changes).toMatchObject({ name: { before: null, after: 'Nightly sync' }, role: { before: null, after: 'viewer' } });
    expect(entries[1]!.changes).toEqual({ revoked_at: { before: null, after: expect.any(String) } });
    expect(JSON.stringify(entries)).not.toContain(key.key);
  });

  it('records company setting changes, only the fields that changed', async () => {
    const c = await t.company('Settings audit');
    const since = await latestId(c);
    expect((await t.call(c.apiKey, 'PATCH', '/api/v1/company', { name: 'Settings audit', default_country: 'CA', gender_options: ['Woman', 'Man'] })).statusCode).toBe(200);
    const entries = await entriesSince(c, since);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'company.updated', entity_type: 'company', entity_id: String(c.companyId) });
    expect(entries[0]!.changes).toEqual({
      default_country: { before: 'US', after: 'CA' },
      gender_options: { before: ['Female', 'Male', 'Non-binary', 'Other', 'Prefer not to say'], after: ['Woman', 'Man'] },
    });
  });

  it('writes no entry for an update that changes nothing', async () => {
    const c = await t.company('No-op');
    const field = (await t.call(c.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Member', field_type: 'yes_no' })).json();
    const date = (await t.call(c.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Joined', field_type: 'date' })).json();
    const profile = await t.call(c.apiKey, 'POST', '/api/v1/profiles', {
      phone_number: '+12025550172', first_name: 'Same', email: 'same@example.org', custom_fields: { Member: 'yes', Joined: '2024-03-05' },
    });
    expect(profile.statusCode).toBe(201);
    const id = profile.json().id as number;
    const user = (await t.call(c.apiKey, 'POST', '/api/v1/users', { email: `noop-${process.pid}@example.org`, password: 'long enough pw', role: 'editor', name: 'N' })).json();
    const company = (await t.call(c.apiKey, 'GET', '/api/v1/company')).json();
    const since = await latestId(c);

    const noOps: Array<[string, string, unknown]> = [
      ['PATCH', `/api/v1/profiles/${id}`, { first_name: 'Same' }],
      ['PATCH', `/api/v1/profiles/${id}`, { first_name: '  Same ', email: 'SAME@example.org', last_name: null }],
      ['PATCH', `/api/v1/profiles/${id}`, { phone_number: '(202) 555-0172', custom_fields: { Member: 'Y', Joined: '3/5/2024' } }],
      ['PATCH', `/api/v1/profiles/${id}`, {}],
      ['POST', '/api/v1/profiles', { phone_number: '202.555.0172', first_name: 'Same', custom_fields: { member: true } }],
      ['PATCH', `/api/v1/custom-fields/${field.id}`, { name: 'Member' }],
      ['PATCH', `/api/v1/custom-fields/${date.id}`, { name: 'Joined', field_type: 'date', position: date.position }],
      ['PATCH', `/api/v1/users/${user.id}`, { role: 'editor', name: 'N', disabled: false }],
      ['PATCH', '/api/v1/company', { name: company.name, default_country: 'us', gender_options: company.gender_options }],
    ];
    for (const [method, url, body] of noOps) {
      const res = await t.call(c.apiKey, method as 'PATCH', url, body);
      expect(res.statusCode, `${method} ${url} ${res.body}`).toBeLessThan(300);
      expect(await entriesSince(c, since), `${method} ${url} ${JSON.stringify(body)}`).toEqual([]);
    }
    // Nor is anything's updated_at moved.
    expect((await t.call(c.apiKey, 'GET', `/api/v1/profiles/${id}`)).json().updated_at).toBe(profile.json().updated_at);
    expect((await t.call(c.apiKey, 'GET', '/api/v1/company')).json().updated_at).toBe(company.updated_at);
    const userAfter = (await t.call(c.apiKey, 'GET', '/api/v1/users')).json().data.find((u: { id: number }) => u.id === user.id);
    expect(userAfter.updated_at).toBe(user.updated_at);
    // And a real change after all that is still recorded.
    expect((await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { custom_fields: { Member: 'no' } })).statusCode).toBe(200);
    const [entry] = await entriesSince(c, since);
    expect(entry!.changes).toEqual({ 'custom_fields.Member': { before: true, after: false } });
  });

  it('filters by entity type and entity id, newest first', async () => {
    const c = await t.company('Filters');
    const p1 = (await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550180', first_name: 'One' })).json().id as number;
    const p2 = (await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550181', first_name: 'Two' })).json().id as number;
    await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${p1}`, { last_name: 'First' });
    await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${p2}`, { last_name: 'Second' });
    await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${p1}`, { city: 'Paris' });
    await t.call(c.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Shift', field_type: 'time_of_day' });

    const forP1 = (await audit(c, `?entity_type=profile&entity_id=${p1}`)).data;
    expect(forP1.map((e) => e.action)).toEqual(['profile.updated', 'profile.updated', 'profile.created']);
    expect(forP1.every((e) => e.entity_type === 'profile' && e.entity_id === String(p1))).toBe(true);
    expect(forP1[0]!.changes).toEqual({ city: { before: null, after: 'Paris' } });
    const ids = forP1.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);

    const profiles = (await audit(c, '?entity_type=profile')).data;
    expect(profiles).toHaveLength(5);
    expect(new Set(profiles.map((e) => e.entity_id))).toEqual(new Set([String(p1), String(p2)]));
    const fields = (await audit(c, '?entity_type=custom_field')).data;
    expect(fields.map((e) => e.action)).toEqual(['custom_field.created']);
    expect((await audit(c, '?entity_type=profile&entity_id=999999999')).data).toEqual([]);

    const bad = await t.call(c.apiKey, 'GET', '/api/v1/audit-log?entity_type=spaceship');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toContain('entity_type');
  });

  it('pages backwards with before_id, without gaps or repeats', async () => {
    const c = await t.company('Paging');
    for (let i = 0; i < 7; i += 1) {
      expect((await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: `+1202555019${i}` })).statusCode).toBe(201);
    }
    const all = (await audit(c, '?limit=500')).data;
    expect(all.length).toBe(10); // 3 for the company's creation, 7 profiles
    expect((await audit(c, '?limit=500')).next_before_id).toBeNull();

    const seen: number[] = [];
    let query = '?limit=3';
    let pages = 0;
    for (;;) {
      const page = await audit(c, query);
      pages += 1;
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((e) => e.id));
      if (page.next_before_id === null) break;
      expect(page.next_before_id).toBe(page.data[page.data.length - 1]!.id);
      query = `?limit=3&before_id=${page.next_before_id}`;
      expect(pages).toBeLessThan(10);
    }
    expect(seen).toEqual(all.map((e) => e.id));
    expect(pages).toBe(4);

    // Paging composes with the entity filter.
    const first = await audit(c, '?entity_type=profile&limit=4');
    expect(first.data).toHaveLength(4);
    const second = await audit(c, `?entity_type=profile&limit=4&before_id=${first.next_before_id}`);
    expect(second.data).toHaveLength(3);
    expect(second.next_before_id).toBeNull();
    expect([...first.data, ...second.data].every((e) => e.entity_type === 'profile')).toBe(true);
    expect(new Set([...first.data, ...second.data].map((e) => e.id)).size).toBe(7);
  });

  it('after a profile is deleted, earlier entries about it keep what changed and when, but not its personal data', async () => {
    const c = await t.company('Erasure');
    await t.call(c.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Nickname', field_type: 'text' });
    const created = await t.call(c.apiKey, 'POST', '/api/v1/profiles', {
      phone_number: '+12025550199', first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.org', street1: '1 Navy Yard', custom_fields: { Nickname: 'Amazing Grace' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    expect((await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { first_name: 'Rear Admiral', city: null, postal_code: '20374' })).statusCode).toBe(200);
    // A second profile whose entries must be left alone.
    const other = (await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+12025550198', first_name: 'Katherine' })).json().id as number;

    const before = (await audit(c, `?entity_type=profile&entity_id=${id}`)).data;
    expect(before).toHaveLength(2);
    expect(JSON.stringify(before)).toContain('Hopper');

    expect((await t.call(c.apiKey, 'DELETE', `/api/v1/profiles/${id}`)).statusCode).toBe(204);
    const after = (await audit(c, `?entity_type=profile&entity_id=${id}`)).data;
    expect(after.map((e) => e.action)).toEqual(['profile.deleted', 'profile.updated', 'profile.created']);
    // Same entries, same fields, same times and actors; values replaced.
    for (const old of before) {
      const now = after.find((e) => e.id === old.id)!;
      expect(now).toMatchObject({ action: old.action, created_at: old.created_at, actor: old.actor, entity_id: String(id) });
      expect(Object.keys(now.changes).sort()).toEqual(Object.keys(old.changes).sort());
      for (const [field, change] of Object.entries(now.changes)) {
        expect(change.before, field).toBe(old.changes[field]!.before === null ? null : '(erased)');
        expect(change.after, field).toBe(old.changes[field]!.after === null ? null : '(erased)');
      }
    }
    const created2 = after.find((e) => e.action === 'profile.created')!;
    expect(created2.changes.first_name).toEqual({ before: null, after: '(erased)' });
    expect(created2.changes['custom_fields.Nickname']).toEqual({ before: null, after: '(erased)' });

    // Nowhere in the company's whole log.
    const everything = JSON.stringify((await audit(c, '?limit=500')).data);
    for (const personal of ['Grace', 'Hopper', 'grace@example.org', '2025550199', '1 Navy Yard', 'Rear Admiral', '20374']) {
      expect(everything, personal).not.toContain(personal);
    }
    // The other profile's entries are untouched.
    const kept = (await audit(c, `?entity_type=profile&entity_id=${other}`)).data;
    expect(kept[0]!.changes.first_name).toEqual({ before: null, after: 'Katherine' });
    // And the rows in the table itself hold no trace either.
    const rows = await t.database.db.selectFrom('audit_log').select('changes').where('company_id', '=', c.companyId).execute();
    expect(rows.map((r) => r.changes).join('\n')).not.toContain('Hopper');
  });

  it('is readable by a viewer and shows only the caller\'s company', async () => {
    const viewer = (await t.call(a.apiKey, 'POST', '/api/v1/api-keys', { name: 'reader', role: 'viewer' })).json().key as string;
    const res = await t.call(viewer, 'GET', '/api/v1/audit-log?limit=500');
    expect(res.statusCode).toBe(200);
    const entries = res.json().data as AuditRecord[];
    expect(entries.length).toBeGreaterThan(0);
    const rows = await t.database.db.selectFrom('audit_log').select('id').where('company_id', '=', a.companyId).execute();
    expect(new Set(entries.map((e) => e.id))).toEqual(new Set(rows.map((r) => r.id)));
  });
});
