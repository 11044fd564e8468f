import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { type TestApp, type TestCompany, testApp } from '../app.js';
import { FIELD_TYPES } from '../../src/features/custom-fields/field-types.js';

/** One field of each type, in this definition order. */
const FIELDS = [
  { name: 'Age', field_type: 'age' },
  { name: 'Birthday', field_type: 'date' },
  { name: 'Gender', field_type: 'gender' },
  { name: 'Donation', field_type: 'number' },
  { name: 'Notes', field_type: 'text' },
  { name: 'Best Time', field_type: 'time_of_day' },
  { name: 'Volunteer', field_type: 'yes_no' },
] as const;
type FieldName = (typeof FIELDS)[number]['name'];

/** Accepted input forms and the canonical value each is stored and returned as. */
const ACCEPTED: Array<[FieldName, unknown, string | number | boolean]> = [
  ['Age', '42', 42], ['Age', 42, 42], ['Age', ' 7 ', 7], ['Age', '0', 0], ['Age', '150', 150],
  ['Birthday', '3/7/2024', '2024-03-07'], ['Birthday', '2024-03-07', '2024-03-07'], ['Birthday', '12/31/1999', '1999-12-31'], ['Birthday', '2/29/2024', '2024-02-29'],
  ['Gender', 'f', 'Female'], ['Gender', 'M', 'Male'], ['Gender', 'non-BINARY', 'Non-binary'], ['Gender', 'Prefer not to say', 'Prefer not to say'],
  ['Donation', '3.50', 3.5], ['Donation', '-0.25', -0.25], ['Donation', 12, 12], ['Donation', '.5', 0.5], ['Donation', '1000000', 1000000],
  ['Notes', 'I 💚 SMS 🌻', 'I 💚 SMS 🌻'], ['Notes', '  kept as typed  ', '  kept as typed  '], ['Notes', 'x'.repeat(2000), 'x'.repeat(2000)],
  ['Notes', '🌻'.repeat(2000), '🌻'.repeat(2000)],
  ['Best Time', '7:30 PM', '19:30'], ['Best Time', '7pm', '19:00'], ['Best Time', '12am', '00:00'], ['Best Time', '9:05', '09:05'], ['Best Time', '23:59', '23:59'],
  ['Volunteer', 'y', true], ['Volunteer', 'No', false], ['Volunteer', true, true], ['Volunteer', 0, false], ['Volunteer', 'TRUE', true], ['Volunteer', '1', true],
];

/** Values each type refuses. */
const REFUSED: Array<[FieldName, unknown]> = [
  ['Age', '42.5'], ['Age', '-1'], ['Age', '151'], ['Age', 'forty'], ['Age', true],
  ['Birthday', '2024-02-30'], ['Birthday', '13/1/2024'], ['Birthday', 'yesterday'], ['Birthday', '2024/03/07'], ['Birthday', 20240307],
  ['Gender', 'x'], ['Gender', 'Woman'], ['Gender', 1],
  ['Donation', '1e3'], ['Donation', 'abc'], ['Donation', '1,000'], ['Donation', true],
  ['Notes', 'x'.repeat(2001)], ['Notes', 'nul\u0000inside'], ['Notes', 5],
  ['Best Time', '25:00'], ['Best Time', '7:60 pm'], ['Best Time', '13pm'], ['Best Time', 'noon'],
  ['Volunteer', 'maybe'], ['Volunteer', 2], ['Volunteer', 'yes please'],
];

describeEachEngine('custom fields API', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine);
  });

  const fieldsUrl = '/api/v1/custom-fields';
  const valueRows = (companyId: number, fieldId?: number) => {
    let query = t.database.db.selectFrom('profile_field_values').select(['profile_id', 'field_id', 'value_text', 'value_number']).where('company_id', '=', companyId);
    if (fieldId !== undefined) query = query.where('field_id', '=', fieldId);
    return query.execute();
  };

  describe('definitions', () => {
    let c: TestCompany;
    beforeAll(async () => {
      c = await t.company('Definitions');
    });

    it('creates, lists, renames, re-orders and deletes a field', async () => {
      const created = await t.call(c.apiKey, 'POST', fieldsUrl, { name: '  Favorite   Color ', field_type: 'text' });
      expect(created.statusCode).toBe(201);
      const field = created.json();
      expect(field).toMatchObject({ name: 'Favorite Color', field_type: 'text', position: 1 });
      expect(Object.keys(field).sort()).toEqual(['created_at', 'field_type', 'id', 'name', 'position', 'updated_at']);
      const second = (await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Shirt Size', field_type: 'text' })).json();
      expect(second.position).toBe(2);

      const listed = (await t.call(c.apiKey, 'GET', fieldsUrl)).json();
      expect(listed.data.map((f: { name: string }) => f.name)).toEqual(['Favorite Color', 'Shirt Size']);

      const renamed = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { name: 'Favourite Colour' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ id: field.id, name: 'Favourite Colour', field_type: 'text', position: 1 });

      const moved = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { position: 5 });
      expect(moved.json().position).toBe(5);
      expect((await t.call(c.apiKey, 'GET', fieldsUrl)).json().data.map((f: { name: string }) => f.name)).toEqual(['Shirt Size', 'Favourite Colour']);

      expect((await t.call(c.apiKey, 'DELETE', `${fieldsUrl}/${field.id}`)).statusCode).toBe(204);
      expect((await t.call(c.apiKey, 'GET', fieldsUrl)).json().data.map((f: { name: string }) => f.name)).toEqual(['Shirt Size']);
      expect((await t.call(c.apiKey, 'DELETE', `${fieldsUrl}/${field.id}`)).statusCode).toBe(404);
      expect((await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { name: 'Back' })).statusCode).toBe(404);
    });

    it('a PATCH that changes nothing leaves updated_at alone', async () => {
      const field = (await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Steady', field_type: 'number' })).json();
      await t.database.db.updateTable('custom_fields').set({ updated_at: '2001-02-03T04:05:06.000Z' }).where('id', '=', field.id).execute();
      for (const body of [{}, { name: 'Steady' }, { name: ' Steady ', field_type: 'number', position: field.position }]) {
        const res = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, body);
        expect(res.statusCode).toBe(200);
        expect(res.json().updated_at).toBe('2001-02-03T04:05:06.000Z');
      }
      const renamed = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { name: 'STEADY' });
      expect(renamed.json()).toMatchObject({ name: 'STEADY' });
      expect(renamed.json().updated_at).not.toBe('2001-02-03T04:05:06.000Z');
    });

    it('only admins define fields; viewers can list them', async () => {
      const editor = (await t.call(c.apiKey, 'POST', '/api/v1/api-keys', { name: 'editor', role: 'editor' })).json().key;
      const viewer = (await t.call(c.apiKey, 'POST', '/api/v1/api-keys', { name: 'viewer', role: 'viewer' })).json().key;
      expect((await t.call(editor, 'POST', fieldsUrl, { name: 'By editor', field_type: 'text' })).statusCode).toBe(403);
      expect((await t.call(viewer, 'POST', fieldsUrl, { name: 'By viewer', field_type: 'text' })).statusCode).toBe(403);
      expect((await t.call(viewer, 'GET', fieldsUrl)).statusCode).toBe(200);
    });

    it('refuses a duplicate name, compared case-insensitively with spaces collapsed, with 409', async () => {
      await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Union Local', field_type: 'text' });
      for (const name of ['Union Local', 'union local', 'UNION  LOCAL', ' Union Local ']) {
        const res = await t.call(c.apiKey, 'POST', fieldsUrl, { name, field_type: 'number' });
        expect(res.statusCode).toBe(409);
        expect(res.json().error.code).toBe('conflict');
        expect(res.json().error.message).toContain('already exists');
      }
      const other = (await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Union Hall', field_type: 'text' })).json();
      const rename = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${other.id}`, { name: 'union local' });
      expect(rename.statusCode).toBe(409);
      // Re-casing a field's own name is not a clash.
      expect((await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${other.id}`, { name: 'UNION HALL' })).json().name).toBe('UNION HALL');
      const names = (await t.call(c.apiKey, 'GET', fieldsUrl)).json().data.map((f: { name: string }) => f.name);
      expect(names.filter((n: string) => n.toLowerCase() === 'union local')).toHaveLength(1);
    });

    it('the same name may exist in two companies', async () => {
      const d = await t.company('Other company');
      expect((await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Shared Name', field_type: 'text' })).statusCode).toBe(201);
      expect((await t.call(d.apiKey, 'POST', fieldsUrl, { name: 'Shared Name', field_type: 'age' })).statusCode).toBe(201);
      expect((await t.call(d.apiKey, 'GET', fieldsUrl)).json().data.map((f: { name: string }) => f.name)).toEqual(['Shared Name']);
    });

    it.each(['email', 'Email', ' phone_number ', 'STATUS', 'custom_fields', 'created_at', 'source_type', 'opted_out_at'])('refuses the standard name %j with 422', async (name) => {
      const res = await t.call(c.apiKey, 'POST', fieldsUrl, { name, field_type: 'text' });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toContain('name');
      expect(res.json().error.message).toContain('standard profile field');
    });

    it('refuses a reserved name on rename too', async () => {
      const field = (await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Renamable', field_type: 'text' })).json();
      expect((await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { name: 'first_name' })).statusCode).toBe(422);
    });

    it.each([[''], ['   '], ['x'.repeat(101)], ['bell\u0007name'], ['nul\u0000name']])('refuses the bad name %j with 422 naming name', async (name) => {
      const res = await t.call(c.apiKey, 'POST', fieldsUrl, { name, field_type: 'text' });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details.fields[0].field).toBe('name');
    });

    it('refuses a bare whole number as a name, which would sort first in custom_fields', async () => {
      const res = await t.call(c.apiKey, 'POST', fieldsUrl, { name: '2024', field_type: 'text' });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details.fields[0]).toMatchObject({ field: 'name', value: '2024' });
      for (const name of ['Class of 2024', '2024 cohort', '007', '-1', '1.5']) {
        expect((await t.call(c.apiKey, 'POST', fieldsUrl, { name, field_type: 'text' })).statusCode).toBe(201);
      }
    });

    it('refuses an unknown type with 422 listing the accepted types', async () => {
      const res = await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Shoe size', field_type: 'shoe' });
      expect(res.statusCode).toBe(422);
      const { error } = res.json();
      expect(error.message).toContain('field_type');
      expect(error.message).toContain('"shoe"');
      for (const type of FIELD_TYPES) expect(error.message).toContain(type);
      const field = (await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Typed', field_type: 'text' })).json();
      expect((await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { field_type: 'shoe' })).statusCode).toBe(422);
    });

    it('accepts the type names people read (Age, Time of Day, Yes/No) as well as their ids', async () => {
      for (const [field_type, id] of [['Age', 'age'], ['Time of Day', 'time_of_day'], ['yes/no', 'yes_no'], ['NUMBER', 'number']]) {
        const res = await t.call(c.apiKey, 'POST', fieldsUrl, { name: `Label ${field_type}`, field_type });
        expect(res.statusCode).toBe(201);
        expect(res.json().field_type).toBe(id);
      }
    });

    it('refuses missing or extra properties', async () => {
      expect((await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'No type' })).statusCode).toBe(422);
      const extra = await t.call(c.apiKey, 'POST', fieldsUrl, { name: 'Extra', field_type: 'text', colour: 'red' });
      expect(extra.statusCode).toBe(422);
      expect(extra.json().error.message).toContain('colour');
    });
  });

  describe('values through POST /profiles', () => {
    let c: TestCompany;
    const ids = new Map<string, number>();
    let phoneCounter = 0;
    const nextPhone = () => `+1202555${String(100 + (phoneCounter++ % 100)).padStart(4, '0')}`;
    beforeAll(async () => {
      c = await t.company('Values');
      for (const field of FIELDS) {
        const res = await t.call(c.apiKey, 'POST', fieldsUrl, field);
        expect(res.statusCode).toBe(201);
        ids.set(field.name, res.json().id);
      }
    });
    const post = (body: unknown) => t.call(c.apiKey, 'POST', '/api/v1/profiles', body);

    it.each(ACCEPTED)('%s accepts %j and stores it as %j', async (name, input, canonical) => {
      const phone = nextPhone();
      const res = await post({ phone_number: phone, custom_fields: { [name]: input } });
      expect(res.statusCode).toBeLessThan(300);
      expect(res.json().custom_fields[name]).toEqual(canonical);
      const again = await t.call(c.apiKey, 'GET', `/api/v1/profiles/${res.json().id}`);
      expect(again.json().custom_fields[name]).toStrictEqual(canonical);
      const [stored] = await valueRows(c.companyId, ids.get(name)).then((rows) => rows.filter((r) => r.profile_id === res.json().id));
      expect(stored).toBeDefined();
      expect(stored!.value_text).toBe(typeof canonical === 'string' ? canonical : String(canonical));
      // Writing the canonical form again is not a change.
      const noop = await post({ phone_number: phone, custom_fields: { [name]: canonical } });
      expect(noop.json().updated_at).toBe(again.json().updated_at);
    });

    it.each(REFUSED)('%s refuses %j with a 422 naming the field, the value and what is accepted', async (name, input) => {
      const phone = nextPhone();
      const before = await post({ phone_number: phone });
      const res = await post({ phone_number: phone, first_name: 'Not stored', custom_fields: { [name]: input } });
      expect(res.statusCode).toBe(422);
      const { error } = res.json();
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(`custom_fields.${name}`);
      expect(error.message).toContain(JSON.stringify(input).slice(0, 40));
      expect(error.message).toContain('accepted');
      expect(error.details.fields).toEqual([expect.objectContaining({ field: `custom_fields.${name}` })]);
      const after = await t.call(c.apiKey, 'GET', `/api/v1/profiles/${before.json().id}`);
      expect(after.json()).toEqual(before.json());
    });

    it('names every bad custom field at once', async () => {
      const res = await post({ phone_number: nextPhone(), custom_fields: { Age: 'old', Volunteer: 'perhaps', Notes: 'fine' } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['custom_fields.Age', 'custom_fields.Volunteer']);
    });

    it('the message says what a Gender field accepts, from the company options', async () => {
      const res = await post({ phone_number: nextPhone(), custom_fields: { Gender: 'x' } });
      expect(res.json().error.message).toContain('Female, Male, Non-binary, Other, Prefer not to say');
    });

    it('refuses an unknown custom field name with 422 naming it and the defined fields', async () => {
      const res = await post({ phone_number: nextPhone(), custom_fields: { 'Shoe Size': '9' } });
      expect(res.statusCode).toBe(422);
      const { error } = res.json();
      expect(error.message).toContain('custom_fields.Shoe Size');
      expect(error.message).toContain('Best Time');
      expect(error.details.fields[0].field).toBe('custom_fields.Shoe Size');
    });

    it('matches field names case-insensitively and answers under the defined name', async () => {
      const res = await post({ phone_number: nextPhone(), custom_fields: { 'best  time': '8am', volunteer: 'yes' } });
      expect(res.statusCode).toBe(201);
      expect(res.json().custom_fields).toMatchObject({ 'Best Time': '08:00', Volunteer: true });
      expect(Object.keys(res.json().custom_fields)).not.toContain('volunteer');
    });

    it('refuses one field given twice under different spellings', async () => {
      const res = await post({ phone_number: nextPhone(), custom_fields: { Age: 30, age: 31 } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toContain('custom_fields.age');
    });

    it('null clears a value (and removes its row); a blank clears a structured type', async () => {
      const phone = nextPhone();
      const { id } = (await post({ phone_number: phone, custom_fields: { Age: 30, Notes: 'hello', Volunteer: 'y' } })).json();
      expect((await valueRows(c.companyId)).filter((r) => r.profile_id === id)).toHaveLength(3);
      const cleared = await post({ phone_number: phone, custom_fields: { Age: null, Volunteer: '' } });
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json().custom_fields).toMatchObject({ Age: null, Notes: 'hello', Volunteer: null });
      const rows = (await valueRows(c.companyId)).filter((r) => r.profile_id === id);
      expect(rows.map((r) => r.field_id)).toEqual([ids.get('Notes')]);
      const patched = await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { custom_fields: { Notes: null } });
      expect(patched.json().custom_fields.Notes).toBeNull();
      expect((await valueRows(c.companyId)).filter((r) => r.profile_id === id)).toEqual([]);
    });

    it('PATCH sets and changes custom fields, leaving the others', async () => {
      const { id } = (await post({ phone_number: nextPhone(), custom_fields: { Age: 30, Notes: 'keep me' } })).json();
      const res = await t.call(c.apiKey, 'PATCH', `/api/v1/profiles/${id}`, { custom_fields: { Age: '31', Birthday: '1/2/1993' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().custom_fields).toMatchObject({ Age: 31, Birthday: '1993-01-02', Notes: 'keep me' });
    });

    it('answers custom_fields keyed by name, every field present, in definition order', async () => {
      const res = await post({ phone_number: nextPhone(), custom_fields: { Volunteer: 'n', Age: '5' } });
      expect(Object.keys(res.json().custom_fields)).toEqual(FIELDS.map((f) => f.name));
      expect(res.json().custom_fields).toEqual({ Age: 5, Birthday: null, Gender: null, Donation: null, Notes: null, 'Best Time': null, Volunteer: false });
      expect(res.body.indexOf('"Age"')).toBeLessThan(res.body.indexOf('"Volunteer"'));
    });

    it("uses the company's own gender options", async () => {
      const d = await t.company('Gender options');
      await t.call(d.apiKey, 'POST', fieldsUrl, { name: 'Pronouns', field_type: 'gender' });
      const company = await t.call(d.apiKey, 'PATCH', '/api/v1/company', { gender_options: ['She/her', 'He/him', 'They/them'] });
      expect(company.statusCode).toBe(200);
      const ok = await t.call(d.apiKey, 'POST', '/api/v1/profiles', { phone_number: '202-555-0190', custom_fields: { Pronouns: 'they/them' } });
      expect(ok.json().custom_fields.Pronouns).toBe('They/them');
      const bad = await t.call(d.apiKey, 'POST', '/api/v1/profiles', { phone_number: '202-555-0190', custom_fields: { Pronouns: 'Female' } });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().error.message).toContain('She/her, He/him, They/them');
    });

    it("one company's fields are unknown to another", async () => {
      const d = await t.company('No fields');
      const res = await t.call(d.apiKey, 'POST', '/api/v1/profiles', { phone_number: '202-555-0191', custom_fields: { Age: 40 } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toContain('defined: none');
      const ok = await t.call(d.apiKey, 'POST', '/api/v1/profiles', { phone_number: '202-555-0191' });
      expect(ok.json().custom_fields).toEqual({});
    });
  });

  describe('fields with values', () => {
    let c: TestCompany;
    beforeAll(async () => {
      c = await t.company('Field changes');
    });
    const createField = async (name: string, field_type: string) => (await t.call(c.apiKey, 'POST', fieldsUrl, { name, field_type })).json() as { id: number; name: string };
    const post = (body: unknown) => t.call(c.apiKey, 'POST', '/api/v1/profiles', body);

    it('changing the type of a field that holds values is refused with 409; an unused field may change', async () => {
      const used = await createField('Used', 'text');
      const unused = await createField('Unused', 'text');
      await post({ phone_number: '202-555-0160', custom_fields: { Used: '12' } });
      const res = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${used.id}`, { field_type: 'number' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toContain('Used');
      expect((await t.call(c.apiKey, 'GET', fieldsUrl)).json().data.find((f: { id: number }) => f.id === used.id).field_type).toBe('text');
      // Same type, or a rename, is fine while it holds values.
      expect((await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${used.id}`, { field_type: 'text', name: 'Used Text' })).statusCode).toBe(200);
      const changed = await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${unused.id}`, { field_type: 'yes_no' });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().field_type).toBe('yes_no');
      const profile = await post({ phone_number: '202-555-0160', custom_fields: { Unused: 'yes' } });
      expect(profile.json().custom_fields).toMatchObject({ 'Used Text': '12', Unused: true });
    });

    it('a field whose values were all cleared may change type', async () => {
      const field = await createField('Cleared', 'text');
      await post({ phone_number: '202-555-0161', custom_fields: { Cleared: 'x' } });
      await post({ phone_number: '202-555-0161', custom_fields: { Cleared: null } });
      expect((await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { field_type: 'age' })).statusCode).toBe(200);
    });

    it('deleting a field removes its values and its key from every profile', async () => {
      const doomed = await createField('Doomed', 'number');
      const kept = await createField('Kept', 'number');
      const one = (await post({ phone_number: '202-555-0162', custom_fields: { Doomed: 1, Kept: 2 } })).json();
      const two = (await post({ phone_number: '202-555-0163', custom_fields: { Doomed: '3.5' } })).json();
      expect(await valueRows(c.companyId, doomed.id)).toHaveLength(2);
      expect((await t.call(c.apiKey, 'DELETE', `${fieldsUrl}/${doomed.id}`)).statusCode).toBe(204);
      expect(await valueRows(c.companyId, doomed.id)).toEqual([]);
      expect(await valueRows(c.companyId, kept.id)).toHaveLength(1);
      const after = (await t.call(c.apiKey, 'GET', `/api/v1/profiles/${one.id}`)).json();
      expect(Object.keys(after.custom_fields)).not.toContain('Doomed');
      expect(after.custom_fields.Kept).toBe(2);
      expect(Object.keys((await t.call(c.apiKey, 'GET', `/api/v1/profiles/${two.id}`)).json().custom_fields)).not.toContain('Doomed');
      // The name is free again, and the new field starts empty.
      await createField('Doomed', 'text');
      expect((await t.call(c.apiKey, 'GET', `/api/v1/profiles/${one.id}`)).json().custom_fields.Doomed).toBeNull();
    });

    it('re-ordering fields re-orders custom_fields in every profile', async () => {
      const d = await t.company('Order');
      const make = async (name: string) => (await t.call(d.apiKey, 'POST', fieldsUrl, { name, field_type: 'text' })).json() as { id: number };
      const zebra = await make('Zebra');
      await make('Apple');
      await make('Mango');
      await make('007');
      const profile = (await t.call(d.apiKey, 'POST', '/api/v1/profiles', { phone_number: '202-555-0164', custom_fields: { Mango: 'm', Zebra: 'z', '007': 'bond' } })).json();
      expect(Object.keys(profile.custom_fields)).toEqual(['Zebra', 'Apple', 'Mango', '007']);
      await t.call(d.apiKey, 'PATCH', `${fieldsUrl}/${zebra.id}`, { position: 10 });
      const after = await t.call(d.apiKey, 'GET', `/api/v1/profiles/${profile.id}`);
      expect(Object.keys(after.json().custom_fields)).toEqual(['Apple', 'Mango', '007', 'Zebra']);
      expect(after.body).toContain('"custom_fields":{"Apple":null,"Mango":"m","007":"bond","Zebra":"z"}');
    });

    it('a renamed field answers under its new name with its values intact', async () => {
      const field = await createField('Old Name', 'date');
      const profile = (await post({ phone_number: '202-555-0165', custom_fields: { 'Old Name': '7/4/1976' } })).json();
      await t.call(c.apiKey, 'PATCH', `${fieldsUrl}/${field.id}`, { name: 'New Name' });
      const after = (await t.call(c.apiKey, 'GET', `/api/v1/profiles/${profile.id}`)).json();
      expect(after.custom_fields['New Name']).toBe('1976-07-04');
      expect(Object.keys(after.custom_fields)).not.toContain('Old Name');
      expect((await post({ phone_number: '202-555-0165', custom_fields: { 'Old Name': '1/1/2000' } })).statusCode).toBe(422);
    });
  });
});
