import type { Database } from '../../db/database.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { SYSTEM_ACTOR } from '../audit/audit.js';
import { createCustomField, fieldNameKey, listCustomFields } from '../custom-fields/custom-fields.service.js';
import type { FieldType } from '../custom-fields/field-types.js';
import type { ProfileInput } from '../profiles/profile-input.js';
import type { SourceType } from '../profiles/profile-rules.js';
import { type Origin, upsertProfiles } from '../profiles/profiles.service.js';
import {
  API_CLIENTS, AREA_CODES, CRM_SYNCS, DONATION_PAGES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, MCONNECT_LINES, MDATA_SEARCHES,
  OPT_IN_KEYWORDS, PLACES, STREET_NAMES, STREET_SUFFIXES, UNION_LOCALS, UPLOAD_FILES,
} from './demo-lists.js';

/**
 * Deterministic, realistic demo profiles: for the `roster demo` command, tests and benchmarks.
 * Profile i depends only on (seed, i), so any slice (offset, count) of a seed's sequence is the
 * same whichever way it is generated, and phone numbers are distinct across the whole sequence.
 */

/** The custom fields demo profiles fill in, one of each type. */
export const DEMO_CUSTOM_FIELDS: ReadonlyArray<{ name: string; field_type: FieldType }> = [
  { name: 'Age', field_type: 'age' },
  { name: 'Birthday', field_type: 'date' },
  { name: 'Gender', field_type: 'gender' },
  { name: 'Volunteer hours', field_type: 'number' },
  { name: 'Union local', field_type: 'text' },
  { name: 'Best time to call', field_type: 'time_of_day' },
  { name: 'Member', field_type: 'yes_no' },
];

/** "Now" for demo data unless told otherwise, so the same seed always gives the same dates. */
export const DEMO_NOW = new Date('2026-11-01T00:00:00Z');

export const DEFAULT_DEMO_SEED = 42;

/** Profiles 0–99 get the fictional numbers (202) 555-0100 … 0199, profile i ending in i, so tests can find them. */
export const FICTIONAL_NUMBERS = 100;

export interface DemoProfile {
  input: ProfileInput;
  origin: Origin;
}

export interface DemoProfileOptions {
  seed: number;
  count: number;
  /** The instant first-seen dates lead up to (default DEMO_NOW). */
  now?: Date;
  /** The index of the first profile (default 0): `offset: n` continues a sequence that generated n profiles. */
  offset?: number;
}

// ---------------------------------------------------------------------------------------------
// Randomness: a seeded PRNG (mulberry32) per profile, seeded from (seed, index) by an integer hash.

function mix32(x: number): number {
  // murmur3's finaliser: every input bit affects every output bit.
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** mulberry32: a tiny, fast 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(table: ReadonlyArray<readonly [T, number]>): T {
    const total = table.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of table) {
      r -= weight;
      if (r < 0) return value;
    }
    return table[table.length - 1]![0];
  }
}

function seed32(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`demo seed must be an integer (got ${seed})`);
  // Fold the high bits in so seeds that differ only above 2^32 still differ.
  return mix32((seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32) >>> 0));
}

function profileRng(seed: number, index: number): Rng {
  return new Rng(mix32(seed ^ mix32(index >>> 0) ^ mix32(Math.floor(index / 2 ** 32) + 0x9e3779b9)));
}

// ---------------------------------------------------------------------------------------------
// Phone numbers: a seeded permutation of area code × exchange × line, so they never repeat.

// Exchanges 200–999 except N11 service codes and 555 (whose 01xx lines are the fictional numbers above).
const EXCHANGES: readonly string[] = Array.from({ length: 800 }, (_, i) => String(200 + i)).filter((e) => !e.endsWith('11') && e !== '555');
const LINES = 10_000;
const PHONE_SPACE = AREA_CODES.length * EXCHANGES.length * LINES; // 60 × 792 × 10,000 ≈ 475 million
const FEISTEL_BITS = 30; // 2^30 > PHONE_SPACE; cycle walking maps into the space
const HALF_BITS = FEISTEL_BITS / 2;
const HALF_MASK = (1 << HALF_BITS) - 1;

/** How many profiles one seed can generate before phone numbers would repeat. */
export const MAX_DEMO_PROFILES = FICTIONAL_NUMBERS + PHONE_SPACE;

function feistelKeys(seed: number): number[] {
  return [1, 2, 3, 4].map((round) => mix32(seed + Math.imul(round, 0x9e3779b9)));
}

/** A bijection on [0, PHONE_SPACE): a 4-round Feistel network over 30 bits, cycle-walked into range. */
function permutePhoneIndex(i: number, keys: readonly number[]): number {
  let x = i;
  do {
    let left = x >>> HALF_BITS;
    let right = x & HALF_MASK;
    for (const key of keys) {
      const f = mix32(right ^ key) & HALF_MASK;
      [left, right] = [right, left ^ f];
    }
    x = left * (HALF_MASK + 1) + right;
  } while (x >= PHONE_SPACE);
  return x;
}

function phoneParts(index: number, keys: readonly number[]): [area: string, exchange: string, line: string] {
  if (index < FICTIONAL_NUMBERS) return ['202', '555', String(100 + index).padStart(4, '0')];
  const x = permutePhoneIndex(index - FICTIONAL_NUMBERS, keys);
  const line = x % LINES;
  const rest = Math.floor(x / LINES);
  return [AREA_CODES[Math.floor(rest / EXCHANGES.length)]!, EXCHANGES[rest % EXCHANGES.length]!, String(line).padStart(4, '0')];
}

const PHONE_FORMATS: ReadonlyArray<readonly [(a: string, e: string, l: string) => string, number]> = [
  [(a, e, l) => `(${a}) ${e}-${l}`, 30],
  [(a, e, l) => `${a}-${e}-${l}`, 20],
  [(a, e, l) => `${a}.${e}.${l}`, 10],
  [(a, e, l) => `+1 ${a} ${e} ${l}`, 10],
  [(a, e, l) => `1${a}${e}${l}`, 10],
  [(a, e, l) => `+1${a}${e}${l}`, 10],
  [(a, e, l) => `${a}${e}${l}`, 10],
];

// ---------------------------------------------------------------------------------------------
// The rest of a profile.

const SOURCES: ReadonlyArray<readonly [SourceType, number]> = [
  ['Opted in', 42],
  ['Uploaded group', 20],
  ['CRM', 12],
  ['API', 9],
  ['Unknown', 7],
  ['Donated', 5],
  ['Called mConnect', 3],
  ['Used mData', 2],
];

function sourceName(type: SourceType, rng: Rng): string | null {
  switch (type) {
    case 'Opted in': return rng.pick(OPT_IN_KEYWORDS);
    case 'Uploaded group': return rng.pick(UPLOAD_FILES);
    case 'CRM': return rng.pick(CRM_SYNCS);
    case 'API': return rng.pick(API_CLIENTS);
    case 'Donated': return rng.pick(DONATION_PAGES);
    case 'Called mConnect': return rng.pick(MCONNECT_LINES);
    case 'Used mData': return rng.pick(MDATA_SEARCHES);
    case 'Unknown': return null;
  }
}

const SPECIAL_LETTERS: Readonly<Record<string, string>> = { ø: 'o', ł: 'l', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i' };

/** A name as it appears in an email address: lower case ASCII letters only ("Nguyễn" → "nguyen", "O'Brien" → "obrien"). */
export function emailPart(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[øłđßæœı]/g, (c) => SPECIAL_LETTERS[c] ?? '')
    .replace(/[^a-z0-9]/g, '');
}

function demoEmail(first: string, last: string, rng: Rng): string {
  const f = emailPart(first) || 'member';
  const l = emailPart(last) || 'member';
  const local = rng.weighted<string>([
    [`${f}.${l}`, 35],
    [`${f}${l}`, 15],
    [`${f[0]}${l}`, 15],
    [`${f}_${l}`, 10],
    [`${l}.${f}`, 5],
    [`${f}`, 20],
  ]);
  const suffix = rng.chance(0.6) ? String(rng.int(1, 9999)) : '';
  return `${local}${suffix}@${rng.pick(EMAIL_DOMAINS)}`;
}

function demoAddress(rng: Rng): Pick<ProfileInput, 'street1' | 'street2' | 'city' | 'state' | 'postal_code' | 'country'> {
  const [city, state, zip] = rng.pick(PLACES);
  const address: Pick<ProfileInput, 'street1' | 'street2' | 'city' | 'state' | 'postal_code' | 'country'> = {
    street1: `${rng.int(1, 9999)} ${rng.pick(STREET_NAMES)} ${rng.pick(STREET_SUFFIXES)}`,
    city,
    state,
    postal_code: zip,
    country: 'US',
  };
  if (rng.chance(0.2)) address.street2 = rng.chance(0.5) ? `Apt ${rng.int(1, 40)}${rng.pick(['A', 'B', 'C', 'D'])}` : `Unit ${rng.int(100, 1999)}`;
  return address;
}

const DAY_MS = 86_400_000;
const TWO_YEARS_MS = 730 * DAY_MS;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function demoCustomFields(rng: Rng, now: Date): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  // A birthday between 18 and 85 years before now; Age, when also given, agrees with it.
  const born = new Date(now.getTime() - rng.int(18 * 365, 85 * 365) * DAY_MS);
  if (rng.chance(0.5)) {
    let age = now.getUTCFullYear() - born.getUTCFullYear();
    if (now.getUTCMonth() < born.getUTCMonth() || (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() < born.getUTCDate())) age -= 1;
    fields.Age = rng.chance(0.5) ? age : String(age);
  }
  if (rng.chance(0.5)) {
    const [y, m, d] = [born.getUTCFullYear(), born.getUTCMonth() + 1, born.getUTCDate()];
    fields.Birthday = rng.chance(0.7) ? `${y}-${pad2(m)}-${pad2(d)}` : `${m}/${d}/${y}`;
  }
  if (rng.chance(0.5)) {
    fields.Gender = rng.weighted<string>([['Female', 38], ['F', 8], ['Male', 30], ['m', 6], ['Non-binary', 6], ['Other', 4], ['Prefer not to say', 8]]);
  }
  if (rng.chance(0.5)) {
    const hours = rng.int(0, 400) / (rng.chance(0.5) ? 2 : 1);
    fields['Volunteer hours'] = rng.chance(0.5) ? hours : String(hours);
  }
  if (rng.chance(0.5)) fields['Union local'] = rng.pick(UNION_LOCALS);
  if (rng.chance(0.5)) {
    const hour = rng.int(8, 20);
    const minute = rng.pick([0, 0, 15, 30, 45]);
    const h12 = hour % 12 === 0 ? 12 : hour % 12;
    const ampm = hour < 12 ? 'am' : 'pm';
    fields['Best time to call'] = rng.weighted<string>([
      [`${pad2(hour)}:${pad2(minute)}`, 50],
      [minute === 0 ? `${h12}${ampm}` : `${h12}:${pad2(minute)}${ampm}`, 30],
      [`${h12}:${pad2(minute)} ${ampm.toUpperCase()}`, 20],
    ]);
  }
  if (rng.chance(0.5)) fields.Member = rng.pick<unknown>(['yes', 'no', 'Yes', 'No', 'Y', 'N', true, false]);
  return fields;
}

/** The demo profile at position `index` of a seed's sequence. */
function demoProfile(seed: number, keys: readonly number[], index: number, now: Date): DemoProfile {
  const rng = profileRng(seed, index);
  const [area, exchange, line] = phoneParts(index, keys);
  const input: ProfileInput = { phone_number: rng.weighted(PHONE_FORMATS)(area, exchange, line) };
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  if (rng.chance(0.92)) input.first_name = first;
  if (rng.chance(0.88)) input.last_name = last;
  if (rng.chance(0.8)) input.email = demoEmail(first, last, rng);
  if (rng.chance(0.6)) Object.assign(input, demoAddress(rng));
  const custom = demoCustomFields(rng, now);
  if (Object.keys(custom).length) input.custom_fields = custom;

  const sourceType = rng.weighted(SOURCES);
  // Whole seconds, spread over the two years before now; later profiles are not systematically newer.
  const firstSeen = new Date(now.getTime() - 1000 * Math.ceil((rng.next() * TWO_YEARS_MS) / 1000));
  return { input, origin: { sourceType, sourceName: sourceName(sourceType, rng), firstSeenAt: firstSeen.toISOString() } };
}

/** Generates `count` demo profiles of a seed, starting at `offset`; deterministic, with distinct valid phone numbers. */
export function* demoProfiles(options: DemoProfileOptions): Generator<DemoProfile> {
  const { count, offset = 0, now = DEMO_NOW } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`demo profile count must be a whole number (got ${count})`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`demo profile offset must be a whole number (got ${offset})`);
  if (offset + count > MAX_DEMO_PROFILES) throw new RangeError(`at most ${MAX_DEMO_PROFILES.toLocaleString('en-US')} demo profiles per seed`);
  const seed = seed32(options.seed);
  const keys = feistelKeys(seed);
  for (let index = offset; index < offset + count; index++) yield demoProfile(seed, keys, index, now);
}

// ---------------------------------------------------------------------------------------------
// Loading.

export interface LoadDemoResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface LoadDemoOptions {
  seed?: number;
  /** Profiles per upsertProfiles call (one transaction each); default 1000. */
  batchSize?: number;
  /** Called after each batch with the number of profiles processed so far. */
  onProgress?: (done: number) => void;
  now?: Date;
}

/** Creates whichever demo custom fields the company lacks (matched by name, like the API does). */
export async function ensureDemoCustomFields(database: Database, companyId: number): Promise<void> {
  const existing = new Set((await listCustomFields(database, companyId)).map((f) => fieldNameKey(f.name)));
  const auth: AuthContext = { companyId, role: 'admin', actor: SYSTEM_ACTOR, via: 'api_key' };
  for (const field of DEMO_CUSTOM_FIELDS) {
    if (!existing.has(fieldNameKey(field.name))) await createCustomField(database, auth, field);
  }
}

/**
 * Loads `count` demo profiles into a company through the profiles service (validation, audit and all),
 * in batches. Idempotent for a seed: a second run finds every profile unchanged.
 */
export async function loadDemoProfiles(database: Database, companyId: number, count: number, options: LoadDemoOptions = {}): Promise<LoadDemoResult> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive whole number (got ${batchSize})`);
  await ensureDemoCustomFields(database, companyId);
  const totals: LoadDemoResult = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  let batch: DemoProfile[] = [];
  let done = 0;
  const flush = async () => {
    const current = batch;
    const results = await upsertProfiles(database, companyId, SYSTEM_ACTOR, current.map((p) => p.input), (i) => current[i]!.origin);
    for (const result of results) totals[result.outcome] += 1;
    done += batch.length;
    batch = [];
    options.onProgress?.(done);
  };
  for (const profile of demoProfiles({ seed: options.seed ?? DEFAULT_DEMO_SEED, count, now: options.now })) {
    batch.push(profile);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  return totals;
}
