import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { getCompanySettings } from '../../src/features/accounts/accounts.service.js';
import { customFieldContext, fieldNameKey } from '../../src/features/custom-fields/custom-fields.service.js';
import { toStored } from '../../src/features/custom-fields/field-types.js';
import { demoProfiles, ensureDemoCustomFields } from '../../src/features/demo/demo-data.js';
import { type CountryCode, phoneDigits } from '../../src/features/profiles/phone.js';
import { type InputContext, validateProfileInput, WRITABLE_FIELDS } from '../../src/features/profiles/profile-input.js';
import { deriveStatus } from '../../src/features/profiles/profile-rules.js';

/**
 * Loads demo profiles straight into the tables, much faster than upsertProfiles and storing the same rows:
 * each input goes through the service's own validateProfileInput (phone to E.164, trimmed text, lower-cased
 * email, custom values parsed for the company's fields) and becomes the row upsertRound would insert
 * (phone_digits, status from deriveStatus, first-seen type/name/date from the demo origin, custom values via
 * toStored). Like loadDemoProfiles, profiles go in batches of 1,000 sorted by phone number, so ids are
 * assigned in the same order the service would assign them. The database's triggers keep profiles_search
 * (SQLite FTS5), search_text (PostgreSQL, generated) and profile_counts, exactly as for service writes.
 *
 * Not written: the audit log entries (one per profile) — the Profiles list never reads them.
 * Assumes the company has no tombstones (a new company): upsertRound would carry an opt-out over from one.
 */

/** The columns written; every other profiles column is NULL, as in the service's emptyProfile(). */
const PROFILE_COLUMNS = [
  'company_id', 'id', 'phone_number', 'raw_phone', 'phone_digits', ...WRITABLE_FIELDS,
  'created_at', 'updated_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source', 'status',
] as const;
const VALUE_COLUMNS = ['company_id', 'profile_id', 'field_id', 'value_text', 'value_number'] as const;
type Cell = string | number | null;

/** Profiles per service call in loadDemoProfiles: ids follow phone order within each. */
const SERVICE_BATCH = 1000;

export interface BulkLoadOptions {
  seed: number;
  count: number;
  /** Profiles per database transaction (default 50,000). */
  transactionSize?: number;
  onProgress?: (done: number) => void;
}

export interface BulkLoadResult {
  profiles: number;
  fieldValues: number;
  rejected: number;
  seconds: number;
}

interface Sink {
  /** Writes one transaction's rows. */
  write(profiles: Cell[][], values: Cell[][]): Promise<void>;
  /** The first id to use; ids first..first+count-1 are reserved for this load. */
  reserveIds(count: number): Promise<number>;
  close(): Promise<void>;
}

function sqliteSink(database: Database): Sink {
  const raw = database.sqlite!;
  const statements = new Map<string, ReturnType<typeof raw.prepare>>();
  const insert = (table: string, columns: readonly string[], rows: Cell[][]) => {
    // ≤ 500 rows (≤ 10,500 parameters) per statement: SQLite binds at most 32,766.
    for (let i = 0; i < rows.length; i += 500) {
      const part = rows.slice(i, i + 500);
      const key = `${table}:${part.length}`;
      let statement = statements.get(key);
      if (!statement) {
        const tuple = `(${columns.map(() => '?').join(', ')})`;
        statement = raw.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: part.length }, () => tuple).join(', ')}`);
        statements.set(key, statement);
      }
      statement.run(part.flat());
    }
  };
  const writeAll = raw.transaction((profiles: Cell[][], values: Cell[][]) => {
    insert('profiles', PROFILE_COLUMNS, profiles);
    insert('profile_field_values', VALUE_COLUMNS, values);
  });
  // A bigger page cache while loading only (the indexes are written in random order); restored on close.
  const cacheSize = raw.pragma('cache_size', { simple: true }) as number;
  raw.pragma('cache_size = -1048576');
  return {
    write: async (profiles, values) => writeAll(profiles, values),
    reserveIds: async () => {
      // AUTOINCREMENT never reuses an id, so continue after the highest ever handed out; explicit ids advance it.
      const row = raw.prepare(`SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'profiles'), 0), coalesce((SELECT max(id) FROM profiles), 0)) AS n`).get() as { n: number };
      return row.n + 1;
    },
    close: async () => {
      raw.pragma(`cache_size = ${cacheSize}`);
    },
  };
}

const PG_TYPES: Record<string, string> = {
  company_id: 'bigint', id: 'bigint', profile_id: 'bigint', field_id: 'bigint', value_number: 'double precision',
  created_at: 'timestamptz', updated_at: 'timestamptz', opted_out_at: 'timestamptz',
};
const unnestInsert = (table: string, columns: readonly string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? 'text'}[]`).join(', ')})`;

async function postgresSink(database: Database): Promise<Sink> {
  const client: pg.PoolClient = await database.pgPool!.connect();
  const insert = async (name: string, table: string, columns: readonly string[], rows: Cell[][]) => {
    // One array parameter per column; 10,000 rows a statement keeps each message a few MB.
    for (let i = 0; i < rows.length; i += 10_000) {
      const part = rows.slice(i, i + 10_000);
      await client.query({ name, text: unnestInsert(table, columns), values: columns.map((_, c) => part.map((row) => row[c])) });
    }
  };
  return {
    write: async (profiles, values) => {
      await client.query('BEGIN');
      try {
        await insert('bench_load_profiles', 'profiles', PROFILE_COLUMNS, profiles);
        await insert('bench_load_values', 'profile_field_values', VALUE_COLUMNS, values);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    reserveIds: async (count) => {
      // Take a block of the identity sequence, so later service inserts continue after it.
      const { rows } = await client.query<{ first: string }>(
        `SELECT setval(pg_get_serial_sequence('profiles', 'id'), nextval(pg_get_serial_sequence('profiles', 'id')) + $1::bigint - 1) - $1::bigint + 1 AS first`,
        [count],
      );
      return Number(rows[0]!.first);
    },
    close: async () => client.release(),
  };
}

/** Loads `count` demo profiles of `seed` into a new company (see the top of this file for what is stored). */
export async function bulkLoadDemoProfiles(database: Database, companyId: number, options: BulkLoadOptions): Promise<BulkLoadResult> {
  const started = performance.now();
  const { seed, count, transactionSize = 50_000 } = options;
  const tombstones = await database.db.selectFrom('profile_tombstones').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
  if (Number(tombstones.n) > 0) throw new Error(`bulkLoadDemoProfiles needs a company without tombstones (company ${companyId} has ${tombstones.n})`);

  await ensureDemoCustomFields(database, companyId);
  const [fieldContext, company] = await Promise.all([customFieldContext(database, companyId), getCompanySettings(database, companyId)]);
  const context: InputContext = { defaultCountry: company.default_country as CountryCode, fieldsByKey: fieldContext.byKey, genderOptions: fieldContext.genderOptions, fieldKey: fieldNameKey };
  const status = deriveStatus({ phoneValid: true, optedOutAt: null });

  const sink = database.engine === 'sqlite' ? sqliteSink(database) : await postgresSink(database);
  let nextId = await sink.reserveIds(count);
  let profiles: Cell[][] = [];
  let values: Cell[][] = [];
  let written = 0;
  let fieldValues = 0;
  let rejected = 0;
  const flush = async () => {
    if (profiles.length === 0) return;
    await sink.write(profiles, values);
    written += profiles.length;
    fieldValues += values.length;
    profiles = [];
    values = [];
    options.onProgress?.(written);
  };
  try {
    let batch: Array<{ phone: string; row: Cell[]; custom: Array<[number, Cell, Cell]> }> = [];
    const endBatch = async () => {
      // upsertRound sorts by phone number before inserting, so that is the id order.
      batch.sort((a, b) => (a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : 0));
      for (const item of batch) {
        const id = nextId++;
        item.row[1] = id;
        profiles.push(item.row);
        for (const [fieldId, text, number] of item.custom) values.push([companyId, id, fieldId, text, number]);
      }
      batch = [];
      if (profiles.length >= transactionSize) await flush();
    };
    const at = new Date().toISOString();
    for (const { input, origin } of demoProfiles({ seed, count })) {
      const checked = validateProfileInput(input, context, { requirePhone: true });
      if (!checked.ok) {
        rejected += 1;
        continue;
      }
      const { phone, standard, custom } = checked.value;
      const row: Cell[] = [
        companyId, null, phone!, null, phoneDigits(phone!), ...WRITABLE_FIELDS.map((f) => standard[f] ?? null),
        origin.firstSeenAt ?? at, at, origin.sourceType, origin.sourceName, null, null, status,
      ];
      const stored: Array<[number, Cell, Cell]> = [];
      for (const [fieldId, { field, value }] of custom) {
        if (value === null) continue;
        const s = toStored(field.field_type, value);
        stored.push([fieldId, s.text, s.number]);
      }
      batch.push({ phone: phone!, row, custom: stored });
      if (batch.length >= SERVICE_BATCH) await endBatch();
    }
    if (batch.length) await endBatch();
    await flush();
  } finally {
    await sink.close();
  }
  return { profiles: written, fieldValues, rejected, seconds: (performance.now() - started) / 1000 };
}

/** After a bulk load: SQLite's planner statistics (PRAGMA optimize, as `roster demo` does); PostgreSQL VACUUM ANALYZE. */
export async function settle(database: Database): Promise<void> {
  if (database.engine === 'sqlite') {
    await database.refreshStatistics();
  } else {
    // VACUUM as well as ANALYZE: autovacuum would do it soon after a million inserts, and index-only scans
    // (page 10,000 over the first-seen index) need the visibility map it sets.
    for (const table of ['profiles', 'profile_field_values', 'profile_counts']) await sql.raw(`VACUUM (ANALYZE) ${table}`).execute(database.db);
  }
}

/** A short hash of whatever decides the loaded data and schema, for naming cached databases. */
export function dataVersion(): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const add = (dir: URL, filter: (name: string) => boolean) => {
    for (const name of readdirSync(dir).filter(filter).sort()) files.push(fileURLToPath(new URL(name, dir)));
  };
  const src = new URL('../../src/', import.meta.url);
  add(new URL('db/migrations/', src), (n) => n.endsWith('.ts'));
  add(new URL('db/', src), (n) => n === 'migrate.ts');
  add(new URL('features/demo/', src), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  // What decides the stored values: validation, phone normalisation, status rules, custom value storage.
  add(new URL('features/profiles/', src), (n) => ['phone.ts', 'profile-input.ts', 'profile-rules.ts'].includes(n));
  add(new URL('features/custom-fields/', src), (n) => n === 'field-types.ts');
  add(new URL('./', import.meta.url), (n) => n === 'profile-data.ts');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 12);
}
