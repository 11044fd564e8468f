import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { createCompany } from '../../src/features/accounts/accounts.service.js';
import { SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { listCustomFields } from '../../src/features/custom-fields/custom-fields.service.js';
import { ensureDemoCustomFields } from '../../src/features/demo/demo-data.js';
import { uploadGroupNamed } from '../../src/features/groups/groups.service.js';

/**
 * The most any upload can reach into Roster's tables on this machine: the database engine itself writing the file's
 * rows into the same tables an upload writes — profiles (their indexes, the kept counts, the search index), the three
 * custom field values of each row and the group's members — with set-based INSERT … SELECT statements from the file
 * already loaded into a plain table (by `.import` / `\copy`, not timed here), a batch of `batchRows` rows per
 * transaction as the upload commits, and no application code at all: no phone check (the number is its last ten
 * digits after +1), no staging, no report, no counts. An upload does all of that as well, so its throughput cannot
 * pass this one; the benchmark shows both beside the raw load of a plain table.
 */
export async function engineFloor(database: Database, rawTable: string, rows: number, batchRows: number): Promise<{ seconds: number; method: string; profiles: number }> {
  const company = await createCompany(database, { name: 'Bench floor', adminEmail: `floor-${Date.now()}@bench.example.org`, adminPassword: 'bench-password-not-secret' });
  const companyId = company.companyId;
  await ensureDemoCustomFields(database, companyId);
  const group = await uploadGroupNamed(database, companyId, SYSTEM_ACTOR, 'Bench floor');
  const fields = new Map((await listCustomFields(database, companyId)).map((f) => [f.name, Number(f.id)]));
  const fieldId = (name: string) => {
    const id = fields.get(name);
    if (id === undefined) throw new Error(`the demo custom field ${name} is missing`);
    return id;
  };
  const sqlite = database.engine === 'sqlite';
  // The row's number: SQLite's rowid; PostgreSQL's table gets one (preparation, not timed).
  const n = sqlite ? 'r.rowid' : 'r.n';
  if (!sqlite) {
    await sql.raw(`ALTER TABLE ${rawTable} ADD COLUMN n bigserial`).execute(database.db);
    await sql.raw(`CREATE INDEX ON ${rawTable} (n)`).execute(database.db);
    await sql.raw(`ANALYZE ${rawTable}`).execute(database.db);
  }
  const digits = sqlite
    ? `replace(replace(replace(replace(replace(replace(r.phone_number, '(', ''), ')', ''), '-', ''), ' ', ''), '.', ''), '+', '')`
    : `regexp_replace(r.phone_number, '[^0-9]', '', 'g')`;
  const phone = sqlite ? `'+1' || substr(${digits}, -10)` : `'+1' || right(${digits}, 10)`;
  const now = sqlite ? `'${new Date().toISOString()}'` : 'now()';
  const ignore = sqlite ? 'INSERT OR IGNORE' : 'INSERT';
  const onConflict = sqlite ? '' : 'ON CONFLICT DO NOTHING';
  const range = `${n} > $1 AND ${n} <= $2`;
  const joined = `FROM ${rawTable} r JOIN profiles p ON p.company_id = ${companyId} AND p.phone_number = ${phone} WHERE ${range}`;
  const statements = [
    `${ignore} INTO profiles (company_id, phone_number, phone_digits, email, first_name, last_name, street1, street2, city, state, postal_code, country,
       created_at, source_type, source_name, status, status_filter, updated_at)
     SELECT ${companyId}, ${phone}, substr(${phone}, 2), nullif(r.email, ''), nullif(r.first_name, ''), nullif(r.last_name, ''), nullif(r.street1, ''),
       nullif(r.street2, ''), nullif(r.city, ''), nullif(r.state, ''), nullif(r.postal_code, ''), nullif(r.country, ''),
       ${now}, 'Uploaded group', 'Bench floor', 'No Subscriptions', 'none', ${now}
     FROM ${rawTable} r WHERE ${range} ${onConflict}`,
    ...([['Age', true], ['Gender', false], ['Member', false]] as const).map(([name, numeric]) =>
      `${ignore} INTO profile_field_values (company_id, profile_id, field_id, value_text, value_number)
       SELECT ${companyId}, p.id, ${fieldId(name)}, r."${name}", ${numeric ? `cast(r."${name}" AS ${sqlite ? 'real' : 'double precision'})` : 'NULL'}
       ${joined} AND r."${name}" <> '' ${onConflict}`),
    `${ignore} INTO group_members (company_id, group_id, profile_id, added_at) SELECT ${companyId}, ${group.id}, p.id, ${now} ${joined} ${onConflict}`,
  ].map((text) => (sqlite ? text.replace(/\$[12]/g, '?') : text));
  const started = performance.now();
  if (sqlite) {
    const raw = database.sqlite!;
    const prepared = statements.map((s) => raw.prepare(s));
    const batch = raw.transaction((after: number) => prepared.forEach((s) => s.run(after, after + batchRows))).immediate;
    for (let after = 0; after < rows; after += batchRows) batch(after);
  } else {
    const client = await database.pgPool!.connect();
    let refreshAt = 20_000;
    try {
      for (let after = 0; after < rows; after += batchRows) {
        // As the upload does: the planner's statistics at doubling sizes, else it plans the joins for an empty company.
        if (after >= refreshAt) {
          await client.query('ANALYZE profiles');
          refreshAt *= 2;
        }
        await client.query('BEGIN');
        for (const text of statements) await client.query(text, [after, after + batchRows]);
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const counted = await database.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
  return {
    seconds,
    profiles: Number(counted.n),
    method: `the engine alone: INSERT … SELECT from the loaded plain table into profiles, custom field values and group members, ${batchRows.toLocaleString('en-US')} rows a transaction, no application code`,
  };
}
