import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from '../src/db/database.js';
import { createCompany } from '../src/features/accounts/accounts.service.js';
import { SYSTEM_ACTOR } from '../src/features/audit/audit.js';
import { type DemoProfile, demoProfiles, ensureDemoCustomFields } from '../src/features/demo/demo-data.js';
import { normalisePhone, phoneDigits } from '../src/features/profiles/phone.js';
import { WRITABLE_FIELDS } from '../src/features/profiles/profile-input.js';
import { upsertProfiles } from '../src/features/profiles/profiles.service.js';
import { type Benchmark, type BenchContext, type BenchResult, measurement } from './lib/types.js';

/**
 * Bulk upsert of generated profiles through the service layer (upsertProfiles, one call per batch, on a fresh
 * company), beside the raw driver inserting the same normalised rows into `profiles` of another fresh company.
 *
 * The two sides alternate batch by batch (and which goes first alternates too), so both see the same table and
 * index sizes and the same machine noise. Generating and normalising the data is outside both timings.
 */

// The columns the raw side writes: everything upsertProfiles sets on a new profile that is not NULL by default.
const RAW_COLUMNS = [
  'company_id', 'phone_number', 'raw_phone', 'phone_digits', ...WRITABLE_FIELDS,
  'created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source', 'status', 'updated_at',
] as const;
type RawValue = string | number | null;

/** A demo profile as the row the service will store: phone in E.164, blank text as NULL. */
function rawRow(companyId: number, profile: DemoProfile, at: string): RawValue[] {
  const { input, origin } = profile;
  const phone = normalisePhone(input.phone_number!, 'US');
  if (!phone.ok) throw new Error(`demo phone ${input.phone_number} is invalid: ${phone.reason}`);
  const text = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());
  const standard = WRITABLE_FIELDS.map((field) => (field === 'email' ? text(input.email)?.toLowerCase() ?? null : text(input[field])));
  return [
    companyId, phone.e164, null, phoneDigits(phone.e164), ...standard,
    origin.firstSeenAt ?? at, origin.sourceType, origin.sourceName, null, null, 'No Subscriptions', at,
  ];
}

interface RawInserter {
  method: string;
  insert(rows: RawValue[][]): Promise<void>;
  close(): Promise<void>;
}

function sqliteInserter(raw: SQLite.Database): RawInserter {
  const statements = new Map<number, SQLite.Statement>();
  const tuple = `(${RAW_COLUMNS.map(() => '?').join(', ')})`;
  const statement = (n: number) => {
    let s = statements.get(n);
    if (!s) {
      s = raw.prepare(`INSERT INTO profiles (${RAW_COLUMNS.join(', ')}) VALUES ${Array.from({ length: n }, () => tuple).join(', ')}`);
      statements.set(n, s);
    }
    return s;
  };
  // At most 1,000 rows (18,000 parameters) per statement: SQLite binds at most 32,766.
  const insertAll = raw.transaction((rows: RawValue[][]) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      statement(part.length).run(part.flat());
    }
  });
  return {
    method: 'better-sqlite3 prepared multi-row INSERT (≤1000 rows per statement), one transaction per batch',
    insert: async (rows) => {
      insertAll(rows);
    },
    close: async () => undefined,
  };
}

const PG_TYPES: Record<(typeof RAW_COLUMNS)[number], string> = Object.fromEntries(
  RAW_COLUMNS.map((c) => [c, c === 'company_id' ? 'bigint' : c.endsWith('_at') ? 'timestamptz' : 'text']),
) as Record<(typeof RAW_COLUMNS)[number], string>;

async function postgresInserter(pool: pg.Pool): Promise<RawInserter> {
  const client = await pool.connect();
  // One array parameter per column: a short statement PostgreSQL parses once, whatever the batch size.
  const text = `INSERT INTO profiles (${RAW_COLUMNS.join(', ')}) SELECT * FROM unnest(${RAW_COLUMNS.map((c, i) => `$${i + 1}::${PG_TYPES[c]}[]`).join(', ')})`;
  return {
    method: 'pg INSERT … SELECT FROM unnest(column arrays), one statement (autocommit) per batch',
    insert: async (rows) => {
      const columns = RAW_COLUMNS.map((_, c) => rows.map((row) => row[c]));
      await client.query({ name: 'bench_raw_profiles_insert', text, values: columns });
    },
    close: async () => client.release(),
  };
}

async function countRows(database: Database, table: 'profiles' | 'profile_field_values', companyId: number): Promise<number> {
  const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countProfileAudit(database: Database, companyId: number): Promise<number> {
  const row = await database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).where('entity_type', '=', 'profile').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The two companies must end up with the same profiles; otherwise the comparison is meaningless. */
async function checkSameRows(database: Database, serviceCompany: number, rawCompany: number): Promise<void> {
  const columns = ['phone_number', 'phone_digits', ...WRITABLE_FIELDS, 'created_at', 'source_type', 'source_name', 'status'] as const;
  const read = (companyId: number) =>
    database.db.selectFrom('profiles').select(columns).where('company_id', '=', companyId).orderBy('phone_number').limit(2000).execute();
  const [a, b] = await Promise.all([read(serviceCompany), read(rawCompany)]);
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    const i = a.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(b[k]));
    throw new Error(`service and raw rows differ at ${i}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}`);
  }
}

async function run({ engine, database, options, log }: BenchContext): Promise<BenchResult[]> {
  const { rows: total, seed, batchSize } = options;
  const password = 'bench-password-not-secret';
  const service = await createCompany(database, { name: 'Bench (service)', adminEmail: 'service@bench.example.org', adminPassword: password });
  const raw = await createCompany(database, { name: 'Bench (raw)', adminEmail: 'raw@bench.example.org', adminPassword: password });
  await ensureDemoCustomFields(database, service.companyId);

  const inserter = engine === 'sqlite' ? sqliteInserter(database.sqlite!) : await postgresInserter(database.pgPool!);
  let serviceMs = 0;
  let rawMs = 0;
  const outcomes = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  let batchNo = 0;
  const generator = demoProfiles({ seed, count: total });
  let nextLog = 0;
  try {
    for (;;) {
      const batch: DemoProfile[] = [];
      while (batch.length < batchSize) {
        const next = generator.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length === 0) break;
      const at = new Date().toISOString();
      const rawRows = batch.map((p) => rawRow(raw.companyId, p, at));
      const inputs = batch.map((p) => p.input);

      const timeService = async () => {
        const start = performance.now();
        const results = await upsertProfiles(database, service.companyId, SYSTEM_ACTOR, inputs, (i) => batch[i]!.origin);
        serviceMs += performance.now() - start;
        for (const result of results) outcomes[result.outcome] += 1;
      };
      const timeRaw = async () => {
        const start = performance.now();
        await inserter.insert(rawRows);
        rawMs += performance.now() - start;
      };
      if (batchNo++ % 2 === 0) {
        await timeService();
        await timeRaw();
      } else {
        await timeRaw();
        await timeService();
      }
      const done = outcomes.created + outcomes.updated + outcomes.unchanged + outcomes.rejected;
      if (done >= nextLog) {
        log(`  ${engine} bulk-upsert ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
        nextLog += Math.max(batchSize, Math.ceil(total / 10));
      }
    }
  } finally {
    await inserter.close();
  }

  if (outcomes.created !== total) throw new Error(`expected ${total} profiles created through the service, got ${JSON.stringify(outcomes)}`);
  const [serviceProfiles, rawProfiles, fieldValues, auditRows] = await Promise.all([
    countRows(database, 'profiles', service.companyId),
    countRows(database, 'profiles', raw.companyId),
    countRows(database, 'profile_field_values', service.companyId),
    countProfileAudit(database, service.companyId),
  ]);
  if (serviceProfiles !== total || rawProfiles !== total) throw new Error(`expected ${total} profiles on each side, got service ${serviceProfiles}, raw ${rawProfiles}`);
  await checkSameRows(database, service.companyId, raw.companyId);

  const serviceSide = measurement(total, serviceMs / 1000, `upsertProfiles, ${batchSize} per call`);
  const rawSide = measurement(total, rawMs / 1000, inserter.method);
  return [{
    benchmark: 'bulk-upsert',
    engine,
    rows: total,
    unit: 'rows/s',
    service: serviceSide,
    raw: rawSide,
    ratio: serviceSide.seconds / rawSide.seconds,
    details: {
      batchSize,
      seed,
      outcomes,
      // The service writes more than the raw side: custom field values and one audit entry per profile.
      serviceAlsoWrote: { profileFieldValues: fieldValues, auditLogRows: auditRows },
    },
  }];
}

export const bulkUpsert: Benchmark = {
  name: 'bulk-upsert',
  description: 'upsertProfiles of generated profiles in batches vs raw multi-row INSERT of the same rows',
  run,
};
