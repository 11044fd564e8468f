import type { Database, Engine } from '../../src/db/database.js';
import { createCompany } from '../../src/features/accounts/accounts.service.js';
import { loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { listProfiles } from '../../src/features/profiles/profile-list.service.js';
import { withFreshDatabase } from './engines.js';
import { bulkLoadDemoProfiles } from './profile-data.js';
import { runRaw } from './sql-capture.js';

/**
 * Proves the bulk loader stores what the service stores: in a fresh database, the first `count` demo profiles
 * of the seed go into one company through loadDemoProfiles (upsertProfiles) and into another through
 * bulkLoadDemoProfiles; every profile column (but id and updated_at), the id order, the custom field values,
 * the kept counts and search results through listProfiles must be the same. Throws on the first difference.
 */
export async function checkBulkLoadFidelity(engine: Engine, seed: number, count: number): Promise<string> {
  return withFreshDatabase(engine, async (database) => {
    const password = 'bench-password-not-secret';
    const service = await createCompany(database, { name: 'Fidelity (service)', adminEmail: 'service@fidelity.example.org', adminPassword: password });
    const bulk = await createCompany(database, { name: 'Fidelity (bulk)', adminEmail: 'bulk@fidelity.example.org', adminPassword: password });
    const loaded = await loadDemoProfiles(database, service.companyId, count, { seed });
    if (loaded.created !== count) throw new Error(`fidelity check: the service created ${JSON.stringify(loaded)} of ${count}`);
    const result = await bulkLoadDemoProfiles(database, bulk.companyId, { seed, count, transactionSize: 700 });
    if (result.profiles !== count) throw new Error(`fidelity check: the bulk loader wrote ${result.profiles} of ${count}`);

    const same = (what: string, a: unknown, b: unknown) => {
      const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
      if (x !== y) {
        const at = [...x].findIndex((c, i) => c !== y[i]);
        throw new Error(`fidelity check: ${what} differ between the service and the bulk loader near …${x.slice(Math.max(0, at - 120), at + 120)}… vs …${y.slice(Math.max(0, at - 120), at + 120)}…`);
      }
    };
    // Every column the table has (so columns added later are compared too), but the ones that must differ.
    const profiles = async (companyId: number) => {
      const rows = await runRaw<Record<string, unknown>>(database, { sql: `SELECT * FROM profiles WHERE company_id = ${database.engine === 'sqlite' ? '?' : '$1'} ORDER BY id`, parameters: [companyId] });
      return rows.map(({ company_id: _c, id: _i, updated_at: _u, ...rest }) => rest);
    };
    same('profiles (in id order)', await profiles(service.companyId), await profiles(bulk.companyId));

    const values = (companyId: number) =>
      database.db
        .selectFrom('profile_field_values as v')
        .innerJoin('profiles as p', (j) => j.onRef('p.company_id', '=', 'v.company_id').onRef('p.id', '=', 'v.profile_id'))
        .innerJoin('custom_fields as f', (j) => j.onRef('f.company_id', '=', 'v.company_id').onRef('f.id', '=', 'v.field_id'))
        .select(['p.phone_number', 'f.name', 'v.value_text', 'v.value_number'])
        .where('v.company_id', '=', companyId)
        .orderBy('p.phone_number')
        .orderBy('f.name')
        .execute();
    const [serviceValues, bulkValues] = [await values(service.companyId), await values(bulk.companyId)];
    same('custom field values', serviceValues, bulkValues);

    const counts = async (companyId: number) => {
      const rows = await runRaw<Record<string, unknown>>(database, { sql: `SELECT * FROM profile_counts WHERE company_id = ${database.engine === 'sqlite' ? '?' : '$1'} AND n > 0`, parameters: [companyId] });
      // PostgreSQL spreads each count over per-connection slots (migration 008): compare the sums, not the slots.
      const sums = new Map<string, number>();
      for (const { company_id: _c, slot: _s, n, ...rest } of rows) {
        const key = JSON.stringify(rest);
        sums.set(key, (sums.get(key) ?? 0) + Number(n));
      }
      return [...sums].filter(([, n]) => n !== 0).map(([key, n]) => `${key} ${n}`).sort();
    };
    same('profile_counts', await counts(service.companyId), await counts(bulk.companyId));

    let searched = 0;
    for (const search of ['smi', 'son', '555', '2025550', 'example.org']) {
      const page = async (companyId: number) => {
        const p = await listProfiles(database as Database, companyId, { search, per_page: 250 });
        return { total: p.total, phones: p.data.map((r) => r.phone_number) };
      };
      const a = await page(service.companyId);
      same(`search ${JSON.stringify(search)} results`, a, await page(bulk.companyId));
      searched += a.total;
    }
    if (searched === 0) throw new Error('fidelity check: the searches matched nothing, so they proved nothing');
    return `${count.toLocaleString('en-US')} profiles, ${bulkValues.length.toLocaleString('en-US')} custom values, counts and ${searched.toLocaleString('en-US')} search hits identical`;
  });
}
