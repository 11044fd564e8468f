import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine, freshDatabase } from '../../../test/db.js';
import type { Database } from '../../db/database.js';
import { createCompany } from '../accounts/accounts.service.js';
import type { Actor } from '../audit/audit.js';
import { createCustomField } from '../custom-fields/custom-fields.service.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ProfileInput } from './profile-input.js';
import { SOURCE_TYPES, type SourceType } from './profile-rules.js';
import { type Origin, upsertProfiles, type UpsertResult } from './profiles.service.js';

const ACTOR: Actor = { type: 'system', id: null, label: 'service test' };

/** A small pool of numbers, each in the five ways people write it. */
const POOL = ['0160', '0161', '0162', '0163'].map((line) => ({
  e164: `+1202555${line}`,
  forms: [`(202) 555-${line}`, `202.555.${line}`, `+1 202 555 ${line}`, `1202555${line}`, `1-202-555-${line}`],
}));

const STANDARD = ['first_name', 'last_name', 'city', 'email'] as const;
type Standard = (typeof STANDARD)[number];

/** Values a write may give a field: absent (undefined), cleared (null, ""), or one of a few values, some needing trimming or lower-casing. */
const nameValue = fc.constantFrom<string | null | undefined>(undefined, undefined, null, '', 'Ada', ' Grace ', 'Zoë 🌻', 'Katherine');
const emailValue = fc.constantFrom<string | null | undefined>(undefined, undefined, null, '', 'Ada@Example.org', 'grace@example.org', ' KJ@NASA.GOV ');
const ageValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 150 }).map(String));

const write = fc.record({
  pool: fc.nat(POOL.length - 1),
  form: fc.nat(4),
  first_name: nameValue,
  last_name: nameValue,
  city: nameValue,
  email: emailValue,
  age: ageValue,
  // Now and then a row that must be rejected without touching anything.
  bad: fc.constantFrom<false | 'phone' | 'email' | 'age'>(false, false, false, false, false, false, 'phone', 'email', 'age'),
});
type Write = typeof write extends fc.Arbitrary<infer T> ? T : never;

const batch = fc.record({
  writes: fc.array(write, { minLength: 1, maxLength: 6 }),
  sourceType: fc.constantFrom<SourceType>(...SOURCE_TYPES),
  sourceName: fc.option(fc.constantFrom('Spring drive', 'CRM nightly', 'Keyword JOIN'), { nil: null }),
  firstSeenAt: fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
});

function toInput(w: Write): ProfileInput {
  const input: ProfileInput = { phone_number: POOL[w.pool]!.forms[w.form]! };
  for (const field of STANDARD) if (w[field] !== undefined) input[field] = w[field];
  if (w.age !== undefined) input.custom_fields = { Age: w.age };
  if (w.bad === 'phone') input.phone_number = `${input.phone_number} ext. 12`;
  if (w.bad === 'email') input.email = 'not an email';
  if (w.bad === 'age') input.custom_fields = { Age: 'very old' };
  return input;
}

/** What Roster must store for a field value: trimmed, "" cleared, email lower-cased. */
function canonical(field: Standard, value: string | null): string | null {
  if (value === null || value.trim() === '') return null;
  return field === 'email' ? value.trim().toLowerCase() : value.trim();
}

interface ModelProfile {
  firstSeen: { created_at: string; source_type: string; source_name: string | null };
  fields: Record<Standard, string | null>;
  age: number | null;
}

describeEachEngine('upsertProfiles', (engine) => {
  let database: Database;
  let companyId: number;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    const company = await createCompany(database, { name: 'Service test', adminEmail: `service-${engine}-${process.pid}@example.org`, adminPassword: 'correct horse battery staple' });
    companyId = company.companyId;
    const auth: AuthContext = { companyId, actor: ACTOR, role: 'admin', via: 'api_key' };
    await createCustomField(database, auth, { name: 'Age', field_type: 'age' });
  });

  async function clear() {
    await database.db.deleteFrom('profile_field_values').where('company_id', '=', companyId).execute();
    await database.db.deleteFrom('profiles').where('company_id', '=', companyId).execute();
  }

  async function stored() {
    const rows = await database.db
      .selectFrom('profiles')
      .select(['id', 'phone_number', 'first_name', 'last_name', 'city', 'email', 'created_at', 'source_type', 'source_name'])
      .where('company_id', '=', companyId)
      .orderBy('id')
      .execute();
    const ages = await database.db
      .selectFrom('profile_field_values')
      .select(['profile_id', 'value_number'])
      .where('company_id', '=', companyId)
      .execute();
    return rows.map((row) => ({ ...row, age: ages.find((a) => a.profile_id === row.id)?.value_number ?? null }));
  }

  it('any sequence of writes: one row per number, first seen from the first write, the last value of each field wins', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 6 }), async (batches) => {
        await clear();
        const model = new Map<string, ModelProfile>();
        for (const b of batches) {
          const origin: Origin = { sourceType: b.sourceType, sourceName: b.sourceName, firstSeenAt: b.firstSeenAt };
          const results = await upsertProfiles(database, companyId, ACTOR, b.writes.map(toInput), origin);
          expect(results).toHaveLength(b.writes.length);
          b.writes.forEach((w, i) => {
            const result = results[i]!;
            const e164 = POOL[w.pool]!.e164;
            if (w.bad) {
              expect(result.outcome).toBe('rejected');
              const fields = (result as Extract<UpsertResult, { outcome: 'rejected' }>).problems.map((p) => p.field);
              expect(fields).toEqual([w.bad === 'phone' ? 'phone_number' : w.bad === 'email' ? 'email' : 'custom_fields.Age']);
              return;
            }
            const age = w.age === undefined || w.age === null ? w.age : Number(w.age);
            const current = model.get(e164);
            if (!current) {
              expect(result.outcome).toBe('created');
              model.set(e164, {
                firstSeen: { created_at: b.firstSeenAt, source_type: b.sourceType, source_name: b.sourceName },
                fields: Object.fromEntries(STANDARD.map((f) => [f, canonical(f, w[f] ?? null)])) as Record<Standard, string | null>,
                age: age ?? null,
              });
              return;
            }
            let changed = false;
            for (const field of STANDARD) {
              if (w[field] === undefined) continue;
              const value = canonical(field, w[field]);
              if (value !== current.fields[field]) changed = true;
              current.fields[field] = value;
            }
            if (age !== undefined) {
              if (age !== current.age) changed = true;
              current.age = age;
            }
            expect(result.outcome).toBe(changed ? 'updated' : 'unchanged');
          });
        }
        const rows = await stored();
        expect(rows).toHaveLength(model.size);
        for (const row of rows) {
          const expected = model.get(row.phone_number!);
          expect(expected).toBeDefined();
          expect({ created_at: row.created_at, source_type: row.source_type, source_name: row.source_name }).toEqual(expected!.firstSeen);
          expect({ first_name: row.first_name, last_name: row.last_name, city: row.city, email: row.email }).toEqual(expected!.fields);
          expect(row.age === null ? null : Number(row.age)).toBe(expected!.age);
        }
      }),
      { numRuns: engine === 'postgres' ? 20 : 60 },
    );
  });

  describe('one batch', () => {
    it('applies a repeated number in order: created, then updated, then unchanged', async () => {
      await clear();
      const origins = (index: number): Origin => ({ sourceType: 'Uploaded group', sourceName: `row ${index}`, firstSeenAt: `2020-01-0${index + 1}T00:00:00.000Z` });
      const results = await upsertProfiles(database, companyId, ACTOR, [
        { phone_number: '(202) 555-0160', first_name: 'First', city: 'Austin' },
        { phone_number: '202.555.0161', first_name: 'Other' },
        { phone_number: '+1 202 555 0160', first_name: 'Second', custom_fields: { Age: '40' } },
        { phone_number: '12025550160', city: '' },
        { phone_number: '1-202-555-0160', first_name: 'Second' },
      ], origins);
      expect(results.map((r) => r.outcome)).toEqual(['created', 'created', 'updated', 'updated', 'unchanged']);
      const ids = results.map((r) => (r as { profileId: number }).profileId);
      expect(new Set([ids[0], ids[2], ids[3], ids[4]]).size).toBe(1);
      expect(ids[1]).not.toBe(ids[0]);
      const rows = await stored();
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.phone_number === '+12025550160')).toMatchObject({
        first_name: 'Second', city: null, age: 40, source_type: 'Uploaded group', source_name: 'row 0', created_at: '2020-01-01T00:00:00.000Z',
      });
      expect(rows.find((r) => r.phone_number === '+12025550161')).toMatchObject({ source_name: 'row 1', created_at: '2020-01-02T00:00:00.000Z' });
    });

    it('rejects only the rows with problems, naming field and value, and stores the rest', async () => {
      await clear();
      await upsertProfiles(database, companyId, ACTOR, [{ phone_number: '2025550163', first_name: 'Existing' }], { sourceType: 'API', sourceName: null });
      const results = await upsertProfiles(database, companyId, ACTOR, [
        { phone_number: '2025550160', first_name: 'Good one' },
        { phone_number: '1 Main Street', first_name: 'Address in the phone column' },
        { phone_number: '2025550161', email: 'nobody-at-example.org' },
        { phone_number: '2025550162', custom_fields: { Age: '200' } },
        { phone_number: '2025550163', first_name: 'Changed', custom_fields: { Shoe: 9 } },
        { first_name: 'No number' },
        { phone_number: '2025550164', first_name: 'Good two', email: 'TWO@EXAMPLE.ORG' },
      ], { sourceType: 'Uploaded group', sourceName: 'mixed.csv' });
      expect(results.map((r) => r.outcome)).toEqual(['created', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'created']);
      const problems = results.map((r) => (r.outcome === 'rejected' ? r.problems : []));
      expect(problems[1]).toEqual([expect.objectContaining({ field: 'phone_number', value: '1 Main Street' })]);
      expect(problems[2]).toEqual([expect.objectContaining({ field: 'email', value: 'nobody-at-example.org', message: expect.stringContaining('accepted') })]);
      expect(problems[3]).toEqual([expect.objectContaining({ field: 'custom_fields.Age', value: '200', message: expect.stringContaining('0 to 150') })]);
      expect(problems[4]).toEqual([expect.objectContaining({ field: 'custom_fields.Shoe' })]);
      expect(problems[5]).toEqual([expect.objectContaining({ field: 'phone_number', message: expect.stringContaining('required') })]);
      const rows = await stored();
      expect(rows.map((r) => r.phone_number).sort()).toEqual(['+12025550160', '+12025550163', '+12025550164']);
      expect(rows.find((r) => r.phone_number === '+12025550163')).toMatchObject({ first_name: 'Existing', source_type: 'API' });
      expect(rows.find((r) => r.phone_number === '+12025550164')).toMatchObject({ first_name: 'Good two', email: 'two@example.org', source_name: 'mixed.csv' });
    });

    it('a batch of only bad rows stores nothing', async () => {
      await clear();
      const results = await upsertProfiles(database, companyId, ACTOR, [{ phone_number: 'x' }, { phone_number: '2025550160', first_name: 'a'.repeat(201) }], { sourceType: 'API', sourceName: null });
      expect(results.map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
      expect(await stored()).toEqual([]);
    });

    it('concurrent writers of one new number end with one profile', async () => {
      await clear();
      const writers = Array.from({ length: 6 }, (_, i) =>
        upsertProfiles(database, companyId, ACTOR, [{ phone_number: POOL[0]!.forms[i % 5]!, last_name: 'Same' }], { sourceType: 'API', sourceName: `writer ${i}` }),
      );
      const outcomes = (await Promise.all(writers)).map(([r]) => r!.outcome).sort();
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(0);
      expect(await stored()).toHaveLength(1);
    });

    it('concurrent batches of overlapping new numbers, in different orders, all succeed', async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        await clear();
        const writers = Array.from({ length: 6 }, (_, i) => {
          const order = i % 2 === 0 ? POOL : [...POOL].reverse();
          return upsertProfiles(database, companyId, ACTOR, order.map((p, j) => ({ phone_number: p.forms[(i + j) % 5]!, city: 'Same' })), { sourceType: 'API', sourceName: `writer ${i}` });
        });
        const results = (await Promise.all(writers)).flat();
        expect(results.filter((r) => r.outcome === 'created')).toHaveLength(POOL.length);
        expect(results.filter((r) => r.outcome === 'rejected')).toHaveLength(0);
        expect(await stored()).toHaveLength(POOL.length);
      }
    });
  });
});
