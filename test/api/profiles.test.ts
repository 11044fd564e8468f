import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { tombstoneHash } from '../../src/features/profiles/profiles.service.js';

/** Every field SPEC §2 names, plus custom fields, status and description: the exact shape of a profile. */
const PROFILE_KEYS = [
  'id', 'phone_number', 'email', 'first_name', 'last_name', 'street1', 'street2', 'city', 'state', 'postal_code', 'country',
  'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district', 'latitude', 'longitude', 'precision',
  'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country', 'carrier_name', 'created_at', 'source_type',
  'source_name', 'opted_out_at', 'opted_out_source', 'updated_at', 'custom_fields', 'status', 'description', 'subscriptions',
].sort();

const LONG_AGO = '2001-02-03T04:05:06.000Z';

describeEachEngine('profiles API', (engine) => {
  let t: TestApp;
  let a: TestCompany;
  let b: TestCompany;
  beforeAll(async () => {
    t = await testApp(engine);
    a = await t.company('A');
    b = await t.company('B');
  });

  const post = (body: unknown, key = a.apiKey) => t.call(key, 'POST', '/api/v1/profiles', body);
  const rowsWithPhone = async (companyId: number, e164: string) =>
    t.database.db.selectFrom('profiles').select(['id', 'updated_at', 'created_at']).where('company_id', '=', companyId).where('phone_number', '=', e164).execute();
  const setColumns = (id: number, values: Record<string, string | null>) =>
    t.database.db.updateTable('profiles').set(values).where('company_id', '=', a.companyId).where('id', '=', id).execute();
  async function apiKey(role: 'admin' | 'editor' | 'viewer', name: string): Promise<string> {
    const res = await t.call(a.apiKey, 'POST', '/api/v1/api-keys', { name, role });
    expect(res.statusCode).toBe(201);
    return res.json().key as string;
  }

  it('creates with 201, then updates the same number written differently with 200', async () => {
    const created = await post({ phone_number: '(202) 555-0143', first_name: 'Ada' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.phone_number).toBe('+12025550143');
    expect(body.source_type).toBe('API');
    expect(body.status).toBe('No Subscriptions');
    const again = await post({ phone_number: '+1 202 555 0143', last_name: 'Lovelace' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: body.id, first_name: 'Ada', last_name: 'Lovelace', created_at: body.created_at });
  });

  it('rejects an invalid number with a 422 naming the field and value', async () => {
    const res = await post({ phone_number: '1 Main Street' });
    expect(res.statusCode).toBe(422);
    const { error } = res.json();
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('phone_number');
    expect(error.message).toContain('1 Main Street');
    expect(error.details.fields[0]).toMatchObject({ field: 'phone_number', value: '1 Main Street' });
  });

  it('requires a phone number to create a profile', async () => {
    const res = await post({ first_name: 'Nobody' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toContain('phone_number');
  });

  describe('upsert idempotency', () => {
    it('the same body twice answers 201 then 200 with an identical profile and one row', async () => {
      const body = { phone_number: '202-555-0101', first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.org', city: 'Arlington' };
      const first = await post(body);
      const second = await post(body);
      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(200);
      expect(second.json()).toEqual(first.json());
      expect(await rowsWithPhone(a.companyId, '+12025550101')).toHaveLength(1);
    });

    it('a no-op upsert leaves updated_at alone; a real change moves it', async () => {
      const body = { phone_number: '202-555-0102', first_name: 'Katherine', custom_fields: {} };
      const { id } = (await post(body)).json();
      await setColumns(id, { updated_at: LONG_AGO });
      const noop = await post({ ...body, first_name: '  Katherine  ' });
      expect(noop.statusCode).toBe(200);
      expect(noop.json().updated_at).toBe(LONG_AGO);
      expect((await rowsWithPhone(a.companyId, '+12025550102'))[0]!.updated_at).toBe(LONG_AGO);

      const changed = await post({ ...body, last_name: 'Johnson' });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().updated_at).not.toBe(LONG_AGO);
      expect(Date.parse(changed.json().updated_at)).toBeGreaterThan(Date.parse(LONG_AGO));
    });

    it('five written forms of one number are one profile', async () => {
      const forms = ['(202) 555-0103', '202.555.0103', '+1 202 555 0103', '12025550103', '1-202-555-0103'];
      const answers = [];
      for (const [i, form] of forms.entries()) answers.push(await post({ phone_number: form, first_name: `Form ${i}` }));
      expect(answers.map((r) => r.statusCode)).toEqual([201, 200, 200, 200, 200]);
      const ids = new Set(answers.map((r) => r.json().id));
      expect(ids.size).toBe(1);
      expect(answers.every((r) => r.json().phone_number === '+12025550103')).toBe(true);
      expect(answers[4]!.json().first_name).toBe('Form 4');
      expect(await rowsWithPhone(a.companyId, '+12025550103')).toHaveLength(1);
      const total = await t.database.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('company_id', '=', a.companyId).where('phone_digits', '=', '12025550103').executeTakeFirstOrThrow();
      expect(Number(total.n)).toBe(1);
      for (const form of forms) {
        const found = await t.call(a.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(form)}`);
        expect(found.statusCode).toBe(200);
        expect(found.json().id).toBe([...ids][0]);
      }
    });

    it('keeps the same number in two companies as two profiles', async () => {
      const inA = await post({ phone_number: '202-555-0104', first_name: 'In A' });
      const inB = await post({ phone_number: '(202) 555-0104', first_name: 'In B' }, b.apiKey);
      expect(inA.statusCode).toBe(201);
      expect(inB.statusCode).toBe(201);
      expect(inB.json().id).not.toBe(inA.json().id);
      expect((await t.call(b.apiKey, 'GET', `/api/v1/profiles/${inA.json().id}`)).statusCode).toBe(404);
      expect((await t.call(b.apiKey, 'PATCH', `/api/v1/profiles/${inA.json().id}`, { first_name: 'Hijack' })).statusCode).toBe(404);
      expect((await t.call(b.apiKey, 'DELETE', `/api/v1/profiles/${inA.json().id}`)).statusCode).toBe(404);
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${inA.json().id}`)).json().first_name).toBe('In A');
    });
  });

  describe('reading', () => {
    it('every answer carries exactly the §2 field names', async () => {
      const created = await post({ phone_number: '202-555-0105', first_name: 'Shape' });
      const { id } = created.json();
      const answers = [
        created,
        await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`),
        await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=2025550105'),
        await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { last_name: 'Shaped' }),
        await post({ phone_number: '202-555-0105' }),
      ];
      for (const res of answers) {
        expect(res.statusCode).toBeLessThan(300);
        expect(Object.keys(res.json()).sort()).toEqual(PROFILE_KEYS);
      }
      const view = answers[1]!.json();
      expect(view).toMatchObject({
        id, phone_number: '+12025550105', first_name: 'Shape', email: null, street1: null, split_district: null, latitude: null,
        precision: null, carrier_name: null, source_type: 'API', opted_out_at: null, opted_out_source: null, status: 'No Subscriptions',
        description: null, custom_fields: {},
      });
      expect(new Date(view.created_at).toISOString()).toBe(view.created_at);
    });

    it('GET /profiles/:id answers 404 for an id that does not exist', async () => {
      const res = await t.call(a.apiKey, 'GET', '/api/v1/profiles/987654321');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    });

    it('lookup finds by any form, 404s an unknown number and 422s a non-number', async () => {
      const { id } = (await post({ phone_number: '+12025550106' })).json();
      for (const form of ['(202) 555-0106', '202.555.0106', '1-202-555-0106', ' 2025550106 ']) {
        const res = await t.call(a.apiKey, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(form)}`);
        expect(res.json().id).toBe(id);
      }
      expect((await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=2025550199')).statusCode).toBe(404);
      expect((await t.call(b.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=2025550106')).statusCode).toBe(404);
      const bad = await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=call%20me');
      expect(bad.statusCode).toBe(422);
      expect(bad.json().error.message).toContain('phone_number');
      expect(bad.json().error.message).toContain('call me');
      expect((await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup')).statusCode).toBe(422);
    });
  });

  describe('PATCH', () => {
    it('changes fields, clears with null or "", and leaves the rest', async () => {
      const { id } = (await post({ phone_number: '202-555-0110', first_name: 'Mary', last_name: 'Jackson', city: 'Hampton', state: 'VA', street1: '1 Main St' })).json();
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { first_name: 'Mary W.', city: null, state: '', postal_code: '23669' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id, first_name: 'Mary W.', last_name: 'Jackson', city: null, state: null, postal_code: '23669', street1: '1 Main St' });
      const stored = await t.database.db.selectFrom('profiles').select(['first_name', 'city', 'state', 'postal_code']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(stored).toEqual({ first_name: 'Mary W.', city: null, state: null, postal_code: '23669' });
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).json()).toEqual(res.json());
    });

    it('an empty PATCH changes nothing', async () => {
      const { id } = (await post({ phone_number: '202-555-0111', first_name: 'Still' })).json();
      await setColumns(id, { updated_at: LONG_AGO });
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, {});
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ first_name: 'Still', updated_at: LONG_AGO });
    });

    it('changes the phone number; the old number no longer finds it', async () => {
      const { id } = (await post({ phone_number: '202-555-0112', first_name: 'Mover' })).json();
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { phone_number: '(202) 555-0113' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id, phone_number: '+12025550113', first_name: 'Mover' });
      expect((await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=2025550113')).json().id).toBe(id);
      expect((await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=2025550112')).statusCode).toBe(404);
      const row = await t.database.db.selectFrom('profiles').select(['phone_digits']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.phone_digits).toBe('12025550113');
    });

    it("refuses with 409 to move a profile onto another profile's number, changing nothing", async () => {
      const first = (await post({ phone_number: '202-555-0114', first_name: 'First' })).json();
      const second = (await post({ phone_number: '202-555-0115', first_name: 'Second' })).json();
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${second.id}`, { phone_number: '202.555.0114', first_name: 'Changed' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('conflict');
      expect(res.json().error.message).toContain('+12025550114');
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${second.id}`)).json()).toEqual(second);
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${first.id}`)).json()).toEqual(first);
    });

    it('validates like POST and changes nothing when any field is bad', async () => {
      const before = (await post({ phone_number: '202-555-0116', first_name: 'Valid' })).json();
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${before.id}`, { first_name: 'Changed', email: 'nope', phone_number: 'not a number' });
      expect(res.statusCode).toBe(422);
      const fields = res.json().error.details.fields.map((f: { field: string }) => f.field).sort();
      expect(fields).toEqual(['email', 'phone_number']);
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${before.id}`)).json()).toEqual(before);
    });

    it('answers 404 for a profile that does not exist', async () => {
      const res = await t.call(a.apiKey, 'PATCH', '/api/v1/profiles/987654321', { first_name: 'Ghost' });
      expect(res.statusCode).toBe(404);
    });
  });

  describe('DELETE', () => {
    it('an admin deletes: 204, then 404 for reads and a second delete', async () => {
      const { id } = (await post({ phone_number: '202-555-0120', first_name: 'Gone' })).json();
      const res = await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).statusCode).toBe(404);
      expect((await t.call(a.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=2025550120')).statusCode).toBe(404);
      expect((await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { first_name: 'Back' })).statusCode).toBe(404);
      expect((await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${id}`)).statusCode).toBe(404);
    });

    it('is refused to editors and viewers', async () => {
      const { id } = (await post({ phone_number: '202-555-0121', first_name: 'Kept' })).json();
      for (const role of ['editor', 'viewer'] as const) {
        const key = await apiKey(role, `${role} for delete`);
        const res = await t.call(key, 'DELETE', `/api/v1/profiles/${id}`);
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
      expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${id}`)).json().first_name).toBe('Kept');
    });
  });

  describe('first seen', () => {
    it('created_at, source_type and source_name never change through POST upserts or PATCH', async () => {
      const created = (await post({ phone_number: '202-555-0130', first_name: 'First' })).json();
      expect(created.source_type).toBe('API');
      expect(created.source_name).toEqual(expect.any(String));
      // Backdate first seen so that any rewrite, even in the same millisecond, would show.
      await setColumns(created.id, { created_at: LONG_AGO, source_name: 'The original source' });
      const other = await apiKey('editor', 'Another integration');
      const viaPost = await post({ phone_number: '+12025550130', first_name: 'Second' }, other);
      expect(viaPost.statusCode).toBe(200);
      const viaPatch = await t.call(other, 'PATCH', `/api/v1/profiles/${created.id}`, { last_name: 'Third', phone_number: '202-555-0131' });
      expect(viaPatch.statusCode).toBe(200);
      for (const view of [viaPost.json(), viaPatch.json(), (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${created.id}`)).json()]) {
        expect(view).toMatchObject({ created_at: LONG_AGO, source_type: 'API', source_name: 'The original source' });
      }
      expect(viaPatch.json()).toMatchObject({ first_name: 'Second', last_name: 'Third', phone_number: '+12025550131' });
    });

    it.each(['created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source', 'updated_at', 'status', 'description', 'id', 'carrier_name'])(
      'writing %s is refused with a 422 naming it, through POST and PATCH',
      async (field) => {
        const before = (await post({ phone_number: '202-555-0132', first_name: 'Fixed' })).json();
        const value = field === 'id' ? 1 : 'Something else';
        for (const res of [
          await post({ phone_number: '202-555-0132', first_name: 'Changed', [field]: value }),
          await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${before.id}`, { first_name: 'Changed', [field]: value }),
        ]) {
          expect(res.statusCode).toBe(422);
          const { error } = res.json();
          expect(error.code).toBe('invalid_input');
          expect(error.message).toContain(field);
          expect(error.message).toContain('is set by Roster');
          expect(error.details.fields).toEqual([expect.objectContaining({ field })]);
        }
        expect((await t.call(a.apiKey, 'GET', `/api/v1/profiles/${before.id}`)).json()).toEqual(before);
      },
    );
  });

  describe('email', () => {
    it('is lower-cased and trimmed', async () => {
      const res = await post({ phone_number: '202-555-0140', email: '  Ada.Lovelace@Example.ORG ' });
      expect(res.json().email).toBe('ada.lovelace@example.org');
      const patched = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${res.json().id}`, { email: 'ADA@EXAMPLE.COM' });
      expect(patched.json().email).toBe('ada@example.com');
    });

    it.each(['not-an-email', 'two@@example.org', 'no-domain@', 'spaces in@example.org', 'dot@less'])('refuses %j with a 422 naming email and the value', async (email) => {
      const res = await post({ phone_number: '202-555-0141', email });
      expect(res.statusCode).toBe(422);
      const { error } = res.json();
      expect(error.message).toContain('email');
      expect(error.message).toContain(JSON.stringify(email));
      expect(error.details.fields).toEqual([expect.objectContaining({ field: 'email', value: email })]);
      expect(await rowsWithPhone(a.companyId, '+12025550141')).toHaveLength(0);
    });
  });

  describe('deletion and tombstones', () => {
    async function optOut(id: number, reason: string) {
      await setColumns(id, { opted_out_at: '2024-05-06T07:08:09.000Z', opted_out_source: reason, status: 'Opted Out' });
    }

    it('an opted-out profile, deleted, leaves only a hashed tombstone; re-created, it is still Opted Out', async () => {
      const created = (await post({ phone_number: '202-555-0150', first_name: 'Private', last_name: 'Person', email: 'private@example.org', street1: '9 Secret Rd' })).json();
      await optOut(created.id, 'Texted a STOP word');
      const opted = (await t.call(a.apiKey, 'GET', `/api/v1/profiles/${created.id}`)).json();
      expect(opted).toMatchObject({ status: 'Opted Out', description: 'Undeliverable - Texted a STOP word' });

      expect((await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${created.id}`)).statusCode).toBe(204);

      expect(await t.database.db.selectFrom('profiles').select('id').where('id', '=', created.id).execute()).toEqual([]);
      const everything = JSON.stringify(await t.database.db.selectFrom('profiles').selectAll().where('company_id', '=', a.companyId).execute());
      for (const personal of ['2025550150', 'Private', 'private@example.org', '9 Secret Rd']) expect(everything).not.toContain(personal);
      const values = await t.database.db.selectFrom('profile_field_values').select('field_id').where('profile_id', '=', created.id).execute();
      expect(values).toEqual([]);
      // The audit log keeps that something changed, not what it was.
      const audit = JSON.stringify(await t.database.db.selectFrom('audit_log').select(['changes']).where('company_id', '=', a.companyId)
        .where('entity_type', '=', 'profile').where('entity_id', '=', String(created.id)).execute());
      for (const personal of ['2025550150', 'Private', 'private@example.org', '9 Secret Rd']) expect(audit).not.toContain(personal);

      const tombstones = await t.database.db.selectFrom('profile_tombstones').selectAll().where('company_id', '=', a.companyId).execute();
      const tombstone = tombstones.find((row) => row.phone_hash === tombstoneHash(a.companyId, '+12025550150'));
      expect(tombstone).toMatchObject({ opted_out_at: '2024-05-06T07:08:09.000Z', opted_out_source: 'Texted a STOP word' });
      expect(JSON.stringify(tombstones)).not.toContain('2025550150');

      const again = await post({ phone_number: '(202) 555-0150', first_name: 'Returning' });
      expect(again.statusCode).toBe(201);
      expect(again.json()).toMatchObject({
        first_name: 'Returning', last_name: null, email: null, street1: null,
        status: 'Opted Out', opted_out_at: '2024-05-06T07:08:09.000Z', opted_out_source: 'Texted a STOP word', description: 'Undeliverable - Texted a STOP word',
      });
      expect(again.json().id).not.toBe(created.id);
    });

    it('deleting the re-created profile again keeps the opt-out', async () => {
      const created = (await post({ phone_number: '202-555-0151' })).json();
      await optOut(created.id, 'Hard Bounce');
      await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${created.id}`);
      const second = (await post({ phone_number: '202-555-0151' })).json();
      expect(second.status).toBe('Opted Out');
      await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${second.id}`);
      const third = (await post({ phone_number: '202-555-0151' })).json();
      expect(third).toMatchObject({ status: 'Opted Out', opted_out_source: 'Hard Bounce', description: 'Undeliverable - Hard Bounce' });
    });

    it('a never-opted-out profile, deleted and re-created, is a normal new profile', async () => {
      const created = (await post({ phone_number: '202-555-0152', first_name: 'Ordinary' })).json();
      await setColumns(created.id, { created_at: LONG_AGO });
      expect((await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${created.id}`)).statusCode).toBe(204);
      const tombstone = await t.database.db.selectFrom('profile_tombstones').selectAll()
        .where('company_id', '=', a.companyId).where('phone_hash', '=', tombstoneHash(a.companyId, '+12025550152')).executeTakeFirst();
      expect(tombstone).toMatchObject({ opted_out_at: null, opted_out_source: null });
      const again = await post({ phone_number: '2025550152' });
      expect(again.statusCode).toBe(201);
      expect(again.json()).toMatchObject({ status: 'No Subscriptions', opted_out_at: null, opted_out_source: null, description: null, first_name: null, source_type: 'API' });
      expect(again.json().created_at).not.toBe(LONG_AGO);
    });

    it('a tombstone of one company does not opt out the same number in another', async () => {
      const created = (await post({ phone_number: '202-555-0153' })).json();
      await optOut(created.id, 'Blacklisted');
      await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${created.id}`);
      const inB = await post({ phone_number: '202-555-0153' }, b.apiKey);
      expect(inB.json()).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
    });

    it('moving a profile onto a number that opted out before deletion carries the opt-out over', async () => {
      const created = (await post({ phone_number: '202-555-0154' })).json();
      await optOut(created.id, 'Phone was Deactivated');
      await t.call(a.apiKey, 'DELETE', `/api/v1/profiles/${created.id}`);
      const other = (await post({ phone_number: '202-555-0155', first_name: 'Mover' })).json();
      const res = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${other.id}`, { phone_number: '202-555-0154' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        phone_number: '+12025550154', status: 'Opted Out', opted_out_at: '2024-05-06T07:08:09.000Z',
        opted_out_source: 'Phone was Deactivated', description: 'Undeliverable - Phone was Deactivated',
      });
    });
    it('an opted-out profile moving to a new number leaves its opt-out with the old number', async () => {
      const created = (await post({ phone_number: '202-555-0156' })).json();
      await optOut(created.id, 'Texted a STOP word');
      const moved = await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${created.id}`, { phone_number: '202-555-0157' });
      expect(moved.json()).toMatchObject({ phone_number: '+12025550157', status: 'Opted Out', opted_out_source: 'Texted a STOP word' });
      const oldNumber = await post({ phone_number: '202-555-0156' });
      expect(oldNumber.statusCode).toBe(201);
      expect(oldNumber.json()).toMatchObject({ status: 'Opted Out', opted_out_source: 'Texted a STOP word' });
    });

    it('a profile that never opted out moves numbers without leaving an opt-out behind', async () => {
      const created = (await post({ phone_number: '202-555-0158' })).json();
      await t.call(a.apiKey, 'PATCH', `/api/v1/profiles/${created.id}`, { phone_number: '202-555-0159' });
      expect((await post({ phone_number: '202-555-0158' })).json()).toMatchObject({ status: 'No Subscriptions', opted_out_at: null });
    });
  });

  describe('company default country', () => {
    it('reads numbers without a country code with the company default country', async () => {
      const c = await t.company('GB org');
      // Ofcom's drama range 07700 900xxx is not valid under libphonenumber's full metadata, so a real-looking mobile is used.
      const before = await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '07911 123456' });
      expect(before.statusCode).toBe(422);
      expect(before.json().error.message).toContain('07911 123456');
      const company = await t.call(c.apiKey, 'PATCH', '/api/v1/company', { default_country: 'GB' });
      expect(company.statusCode).toBe(200);
      expect(company.json().default_country).toBe('GB');
      const res = await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '07911 123456' });
      expect(res.statusCode).toBe(201);
      expect(res.json().phone_number).toBe('+447911123456');
      const same = await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+44 7911 123456' });
      expect(same.statusCode).toBe(200);
      expect(same.json().id).toBe(res.json().id);
      expect((await t.call(c.apiKey, 'GET', '/api/v1/profiles/lookup?phone_number=07911%20123456')).json().id).toBe(res.json().id);
      // A US number now needs its country code.
      const us = await t.call(c.apiKey, 'POST', '/api/v1/profiles', { phone_number: '+1 202 555 0143' });
      expect(us.json().phone_number).toBe('+12025550143');
    });
  });
});
