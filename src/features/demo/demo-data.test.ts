import { describe, expect, it } from 'vitest';
import { describeEachEngine, freshDatabase } from '../../../test/db.js';
import { createCompany } from '../accounts/accounts.service.js';
import { listCustomFields } from '../custom-fields/custom-fields.service.js';
import { parseFieldValue } from '../custom-fields/field-types.js';
import { normalisePhone } from '../profiles/phone.js';
import { validateProfileInput } from '../profiles/profile-input.js';
import { SOURCE_TYPES } from '../profiles/profile-rules.js';
import { lookupProfile } from '../profiles/profiles.service.js';
import { AREA_CODES } from './demo-lists.js';
import { DEMO_CUSTOM_FIELDS, DEMO_NOW, demoProfiles, emailPart, loadDemoProfiles, mulberry32 } from './demo-data.js';

function e164(raw: string): string {
  const result = normalisePhone(raw, 'US');
  if (!result.ok) throw new Error(`${JSON.stringify(raw)} did not normalise: ${result.reason}`);
  return result.e164;
}

describe('mulberry32', () => {
  it('is deterministic and uniform enough', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values).toEqual(Array.from({ length: 10_000 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('demoProfiles', () => {
  it('gives the same profiles for the same seed and different ones for another seed', () => {
    const first = [...demoProfiles({ seed: 1, count: 300 })];
    expect([...demoProfiles({ seed: 1, count: 300 })]).toEqual(first);
    const other = [...demoProfiles({ seed: 2, count: 300 })];
    expect(other).not.toEqual(first);
    // Beyond the shared fictional numbers, the phones of two seeds hardly overlap.
    const phones = new Set(first.slice(100).map((p) => e164(p.input.phone_number!)));
    expect(other.slice(100).filter((p) => phones.has(e164(p.input.phone_number!))).length).toBeLessThan(3);
  });

  it('is the same sequence whichever slice is generated', () => {
    const whole = [...demoProfiles({ seed: 9, count: 250 })];
    expect([...demoProfiles({ seed: 9, count: 50, offset: 200 })]).toEqual(whole.slice(200));
  });

  it('does not depend on the clock unless told', () => {
    const a = [...demoProfiles({ seed: 3, count: 20 })];
    const b = [...demoProfiles({ seed: 3, count: 20, now: DEMO_NOW })];
    expect(a).toEqual(b);
  });

  it('gives the first 100 profiles the fictional numbers (202) 555-0100 to 0199 in varied written forms', () => {
    const profiles = [...demoProfiles({ seed: 5, count: 100 })];
    profiles.forEach((p, i) => expect(e164(p.input.phone_number!)).toBe(`+1202555${String(100 + i).padStart(4, '0')}`));
    expect(new Set(profiles.map((p) => p.input.phone_number!.replace(/\d/g, '#'))).size).toBeGreaterThanOrEqual(5);
  });

  it('gives 50,000 profiles distinct, valid phone numbers', () => {
    const seen = new Set<string>();
    for (const { input } of demoProfiles({ seed: 11, count: 50_000 })) seen.add(e164(input.phone_number!));
    expect(seen.size).toBe(50_000);
  });

  it('draws numbers only from area code × exchange combinations libphonenumber accepts', () => {
    // Lines do not affect US validity, so checking every area code × exchange covers the whole number space.
    const bad: string[] = [];
    for (const area of AREA_CODES) {
      for (let exchange = 200; exchange <= 999; exchange++) {
        if (exchange % 100 === 11 || exchange === 555) continue;
        const raw = `${area}${exchange}4321`;
        if (!normalisePhone(raw, 'US').ok) bad.push(raw);
      }
    }
    expect(bad).toEqual([]);
  });

  it('is varied and realistic in 5,000 profiles', () => {
    const profiles = [...demoProfiles({ seed: 21, count: 5_000 })];
    const share = (predicate: (p: (typeof profiles)[number]) => boolean) => profiles.filter(predicate).length / profiles.length;

    const types = new Map<string, number>();
    for (const p of profiles) types.set(p.origin.sourceType, (types.get(p.origin.sourceType) ?? 0) + 1);
    expect([...types.keys()].sort()).toEqual([...SOURCE_TYPES].sort());
    const byCount = [...types.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
    expect(byCount[0]).toBe('Opted in');
    expect(profiles.every((p) => (p.origin.sourceType === 'Unknown') === (p.origin.sourceName === null))).toBe(true);

    const now = DEMO_NOW.getTime();
    const twoYears = 730 * 86_400_000;
    const seen = profiles.map((p) => Date.parse(p.origin.firstSeenAt!));
    expect(seen.every((t) => t <= now && t >= now - twoYears)).toBe(true);
    expect(profiles.every((p) => p.origin.firstSeenAt!.endsWith('.000Z'))).toBe(true);
    expect(new Set(seen).size).toBeGreaterThan(4_990);
    expect(Math.min(...seen)).toBeLessThan(now - twoYears + 30 * 86_400_000);
    expect(Math.max(...seen)).toBeGreaterThan(now - 30 * 86_400_000);

    expect(share((p) => p.input.email !== undefined)).toBeCloseTo(0.8, 1);
    expect(profiles.every((p) => p.input.email == null || /^[a-z0-9._]+@[a-z.]+$/.test(p.input.email))).toBe(true);
    expect(new Set(profiles.map((p) => p.input.email).filter(Boolean)).size).toBeGreaterThan(0.95 * profiles.filter((p) => p.input.email).length);

    expect(share((p) => p.input.street1 !== undefined)).toBeCloseTo(0.6, 1);
    for (const p of profiles.filter((q) => q.input.street1 !== undefined)) {
      expect(p.input.state).toMatch(/^[A-Z]{2}$/);
      expect(p.input.postal_code).toMatch(/^\d{5}$/);
      expect(p.input.country).toBe('US');
      expect(p.input.city).toBeTruthy();
    }

    const names = profiles.flatMap((p) => [p.input.first_name, p.input.last_name]).filter((n): n is string => !!n);
    expect(names.some((n) => /[^ -~]/.test(n))).toBe(true);
    expect(names).toContain("O'Brien");
    expect(new Set(names).size).toBeGreaterThan(400);

    for (const field of DEMO_CUSTOM_FIELDS) {
      expect(share((p) => p.input.custom_fields?.[field.name] !== undefined)).toBeCloseTo(0.5, 1);
    }
  });

  it('writes only values the profile rules accept', () => {
    const fields = DEMO_CUSTOM_FIELDS.map((f, i) => ({ id: i + 1, ...f }));
    const context = {
      defaultCountry: 'US' as const,
      fieldsByKey: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
      genderOptions: ['Female', 'Male', 'Non-binary', 'Other', 'Prefer not to say'],
      fieldKey: (name: string) => name.toLowerCase(),
    };
    for (const { input } of demoProfiles({ seed: 4, count: 3_000 })) {
      const checked = validateProfileInput(input, context, { requirePhone: true });
      expect(checked.ok ? [] : checked.problems).toEqual([]);
    }
  });

  it('makes Age agree with Birthday when both are given', () => {
    for (const { input } of demoProfiles({ seed: 8, count: 2_000 })) {
      const custom = input.custom_fields ?? {};
      if (custom.Age === undefined || custom.Birthday === undefined) continue;
      const birthday = parseFieldValue('date', custom.Birthday);
      if (!birthday.ok) throw new Error(String(custom.Birthday));
      const born = new Date(`${String(birthday.value)}T00:00:00Z`);
      const years = (DEMO_NOW.getTime() - born.getTime()) / (365.2425 * 86_400_000);
      expect(Math.abs(Number(custom.Age) - years)).toBeLessThan(1);
    }
  });

  it('folds names into email-safe ASCII', () => {
    expect(emailPart('Nguyễn')).toBe('nguyen');
    expect(emailPart("O'Brien")).toBe('obrien');
    expect(emailPart('Łukasz')).toBe('lukasz');
    expect(emailPart('Đặng')).toBe('dang');
    expect(emailPart('Søren')).toBe('soren');
    expect(emailPart('De La Cruz')).toBe('delacruz');
  });

  it('refuses counts it cannot serve', () => {
    expect(() => [...demoProfiles({ seed: 1, count: -1 })]).toThrow(RangeError);
    expect(() => [...demoProfiles({ seed: 1.5, count: 1 })]).toThrow(RangeError);
    expect(() => [...demoProfiles({ seed: 1, count: 1, offset: 1e12 })]).toThrow(RangeError);
  });
});

describeEachEngine('loadDemoProfiles', (engine) => {
  it('loads profiles through the service, and a second run changes nothing', async () => {
    const database = await freshDatabase(engine);
    const { companyId } = await createCompany(database, { name: 'Demo', adminEmail: `demo-${engine}@example.org`, adminPassword: 'correct horse battery' });
    const progress: number[] = [];
    const first = await loadDemoProfiles(database, companyId, 500, { seed: 7, batchSize: 200, onProgress: (done) => progress.push(done) });
    expect(first).toEqual({ created: 500, updated: 0, unchanged: 0, rejected: 0 });
    expect(progress).toEqual([200, 400, 500]);
    expect((await listCustomFields(database, companyId)).map((f) => [f.name, f.field_type])).toEqual(DEMO_CUSTOM_FIELDS.map((f) => [f.name, f.field_type]));

    const count = await database.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(500);
    const values = await database.db.selectFrom('profile_field_values').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
    expect(Number(values.n)).toBeGreaterThan(500 * 7 * 0.4);

    // First-seen data comes from the generator, and the fictional numbers can be looked up.
    const [sample] = [...demoProfiles({ seed: 7, count: 1, offset: 43 })];
    const profile = await lookupProfile(database, companyId, '(202) 555-0143');
    expect(profile.phone_number).toBe('+12025550143');
    expect(profile.created_at).toBe(sample!.origin.firstSeenAt);
    expect(profile.source_type).toBe(sample!.origin.sourceType);
    expect(profile.source_name).toBe(sample!.origin.sourceName);

    const second = await loadDemoProfiles(database, companyId, 500, { seed: 7 });
    expect(second).toEqual({ created: 0, updated: 0, unchanged: 500, rejected: 0 });
    expect((await listCustomFields(database, companyId)).length).toBe(DEMO_CUSTOM_FIELDS.length);
  });
});
