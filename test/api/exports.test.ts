import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { upsertProfiles } from '../../src/features/profiles/profiles.service.js';
import { describeEachEngine } from '../db.js';
import { downloadRecords, type ExportBody, exportNow, type ExportsHarness, exportsHarness } from '../exports.js';

/**
 * Save as CSV and Reports › Exports (SPEC §6) through the API, with a real job worker writing real files.
 * Expected columns and cells are written out here, not taken from the code under test.
 */

const STANDARD = [
  'id', 'phone_number', 'email', 'first_name', 'last_name', 'status', 'description', 'street1', 'street2', 'city', 'state',
  'postal_code', 'country', 'congressional_district', 'state_upper_district', 'state_lower_district', 'split_district',
  'latitude', 'longitude', 'precision', 'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country',
  'carrier_name', 'created_at', 'source_type', 'source_name', 'opted_out_at', 'opted_out_source',
];
const DEMO_FIELD_NAMES = ['Age', 'Birthday', 'Gender', 'Volunteer hours', 'Union local', 'Best time to call', 'Member'];

type Params = Record<string, string | string[]>;

function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
  return search.toString();
}

describeEachEngine('exports API', (engine) => {
  let h: ExportsHarness;
  let A: Awaited<ReturnType<ExportsHarness['company']>>;
  let B: Awaited<ReturnType<ExportsHarness['company']>>;
  let editorKey: string;
  let viewerKey: string;
  const fieldIds = new Map<string, number>();

  /** Every id the list endpoint gives for these parameters, page by page (250 a page), in its order. */
  async function listIds(params: Params): Promise<number[]> {
    const ids: number[] = [];
    for (let page = 1; ; page++) {
      const res = await h.call(A.apiKey, 'GET', `/api/v1/profiles?${queryString({ ...params, per_page: '250', page: String(page) })}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ data: Array<{ id: number }>; total: number }>();
      ids.push(...body.data.map((p) => p.id));
      if (body.data.length < 250) {
        expect(ids).toHaveLength(body.total);
        return ids;
      }
    }
  }

  beforeAll(async () => {
    h = await exportsHarness(engine);
    A = await h.company('Company A');
    B = await h.company('Company B');
    editorKey = await h.key(A.apiKey, 'editor');
    viewerKey = await h.key(A.apiKey, 'viewer');
    await loadDemoProfiles(h.database, A.companyId, 400, { seed: 7 });
    const fields = (await h.call(A.apiKey, 'GET', '/api/v1/custom-fields')).json<{ data: Array<{ id: number; name: string }> }>().data;
    for (const f of fields) fieldIds.set(f.name, f.id);
    // Opt-outs with different reasons, as the opt-out engine stores them, for the undeliverable-reason filter.
    const someIds = (await h.database.db.selectFrom('profiles').select('id').where('company_id', '=', A.companyId).orderBy('id').limit(40).execute()).map((r) => r.id);
    for (const [i, id] of someIds.entries()) {
      const reason = ['Texted a STOP word', 'Hard Bounce', 'Blacklisted', 'Phone was Deactivated'][i % 4]!;
      await h.database.db.updateTable('profiles').set({ status: 'Opted Out', status_filter: 'opted_out', opted_out_at: '2026-05-0' + ((i % 9) + 1) + 'T12:00:00.000Z', opted_out_source: reason })
        .where('company_id', '=', A.companyId).where('id', '=', id).execute();
    }
  }, 120_000);
  afterAll(async () => h?.close());

  it('queues an export (202), writes it in the background and marks it done with its row count', async () => {
    const res = await h.call(editorKey, 'POST', '/api/v1/exports', { subscription_status: 'opted_out' });
    expect(res.statusCode, res.body).toBe(202);
    const queued = res.json<ExportBody>();
    expect(res.headers.location).toBe(`/api/v1/exports/${queued.id}`);
    expect(queued).toMatchObject({ status: 'queued', name: 'Profiles: opted out', row_count: null, download_url: null, parameters: { subscription_status: 'opted_out' } });
    expect(queued.created_by).toMatchObject({ type: 'api_key', label: expect.stringContaining('editor key') });
    const early = await h.call(editorKey, 'GET', `/api/v1/exports/${queued.id}/download`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('queued');

    await h.runJobs();
    const done = (await h.call(editorKey, 'GET', `/api/v1/exports/${queued.id}`)).json<ExportBody>();
    expect(done).toMatchObject({ status: 'done', row_count: 40, progress: 40, progress_total: 40, error: null, download_url: `/api/v1/exports/${queued.id}/download` });
    expect(Date.parse(done.expires_at!) - Date.now()).toBeGreaterThan(6 * 24 * 3600_000);
    const { records, raw, response } = await downloadRecords(h, editorKey, queued.id);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="roster-profiles-${queued.id}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
    expect(Number(response.headers['content-length'])).toBe(done.file_bytes);
    expect(records).toHaveLength(41);
    expect(records.slice(1).every((r) => r[5] === 'Opted Out' && r[6]!.startsWith('Undeliverable - '))).toBe(true);
    // RFC 4180 records end with CRLF, and nothing else is left in the export directory.
    expect(raw.endsWith('\r\n')).toBe(true);
    expect(raw.split('\r\n')).toHaveLength(42);
    const dir = join(h.config.dataDir, 'exports', String(A.companyId));
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);

    const list = (await h.call(editorKey, 'GET', '/api/v1/exports')).json<{ data: ExportBody[] }>().data;
    expect(list[0]).toMatchObject({ id: queued.id, status: 'done' });
  });

  it('writes the SPEC §6 columns in order, then every custom field in definition order', async () => {
    const done = await exportNow(h, A.apiKey, { search: '555' });
    const { records } = await downloadRecords(h, A.apiKey, done.id);
    expect(records[0]).toEqual([...STANDARD, ...DEMO_FIELD_NAMES]);
    expect(records.slice(1).every((r) => r.length === STANDARD.length + DEMO_FIELD_NAMES.length)).toBe(true);

    // Definition order is the fields' position, not their ids: move Member first and add a field at the end.
    const bare = await h.company('Bare');
    const empty = await exportNow(h, bare.apiKey);
    expect(empty).toMatchObject({ status: 'done', row_count: 0 });
    expect((await downloadRecords(h, bare.apiKey, empty.id)).records).toEqual([STANDARD]);
    const made: number[] = [];
    for (const [name, type] of [['Shirt size', 'text'], ['Joined', 'date'], ['Steward', 'yes_no']] as const) {
      const res = await h.call(bare.apiKey, 'POST', '/api/v1/custom-fields', { name, field_type: type });
      made.push(res.json<{ id: number }>().id);
    }
    expect((await h.call(bare.apiKey, 'PATCH', `/api/v1/custom-fields/${made[2]}`, { position: 0 })).statusCode).toBe(200);
    const withFields = await exportNow(h, bare.apiKey);
    expect((await downloadRecords(h, bare.apiKey, withFields.id)).records).toEqual([[...STANDARD, 'Steward', 'Shirt size', 'Joined']]);
  });

  it('round-trips commas, quotes, line breaks, emoji and formula-looking text through a CSV parser, neutralising formulas', async () => {
    const C = await h.company('Round trip');
    for (const [name, type] of [['Note', 'text'], ['Score', 'number'], ['Age', 'age'], ['Born', 'date'], ['Member', 'yes_no'], ['Call at', 'time_of_day'], ['=Danger', 'text']] as const) {
      expect((await h.call(C.apiKey, 'POST', '/api/v1/custom-fields', { name, field_type: type })).statusCode).toBe(201);
    }
    const [tricky, plain] = await upsertProfiles(h.database, C.companyId, SYSTEM_ACTOR, [
      {
        phone_number: '(202) 555-0143',
        email: 'ada@example.org',
        first_name: '=HYPERLINK("http://evil.example","Click")',
        last_name: 'O\'Brien, "Junior"\nsecond line 🎉',
        street1: '+1 Main St, Apt "4"',
        street2: '-minus\r\nCRLF inside',
        city: 'Zürich 🏔️',
        state: '@home',
        custom_fields: { Note: '\t=1+1', Score: -12.5, Age: 33, Born: '2/3/1990', Member: true, 'Call at': '7:30 pm', '=Danger': "'=already quoted" },
      },
      { phone_number: '+44 7911 123456', first_name: 'Plain', custom_fields: { Member: 'no', Note: '\r=cmd', '=Danger': 'lone\nLF' } },
    ], (i) => ({ sourceType: 'API', sourceName: i === 0 ? '-source' : null, firstSeenAt: i === 0 ? '2024-03-01T09:30:00Z' : '2024-03-02T00:00:00.000Z' }));
    const trickyId = (tricky as { profileId: number }).profileId;
    const plainId = (plain as { profileId: number }).profileId;
    await h.database.db.updateTable('profiles').set({
      latitude: 38.8977, longitude: -77.0365, split_district: 1, congressional_district: 'DC-AL', precision: 'Rooftop', carrier_name: '=cmd|" /C calc"!A0',
      status: 'Opted Out', status_filter: 'opted_out', opted_out_at: '2024-04-01T12:00:00.000Z', opted_out_source: 'Hard Bounce',
    }).where('company_id', '=', C.companyId).where('id', '=', trickyId).execute();
    await h.database.db.updateTable('profiles').set({ split_district: 0, latitude: 0.5, longitude: 1e-7 }).where('company_id', '=', C.companyId).where('id', '=', plainId).execute();

    const done = await exportNow(h, C.apiKey, { order: 'asc' });
    const { records, raw } = await downloadRecords(h, C.apiKey, done.id);
    expect(records[0]).toEqual([...STANDARD, 'Note', 'Score', 'Age', 'Born', 'Member', 'Call at', "'=Danger"]);
    expect(records[1]).toEqual([
      String(trickyId), '12025550143', 'ada@example.org', `'=HYPERLINK("http://evil.example","Click")`, 'O\'Brien, "Junior"\nsecond line 🎉',
      'Opted Out', 'Undeliverable - Hard Bounce', `'+1 Main St, Apt "4"`, "'-minus\r\nCRLF inside", 'Zürich 🏔️', "'@home", '', '', 'DC-AL', '', '', 'Yes',
      '38.8977', '-77.0365', 'Rooftop', '', '', '', '', `'=cmd|" /C calc"!A0`, '2024-03-01T09:30:00.000Z', 'API', "'-source", '2024-04-01T12:00:00.000Z', 'Hard Bounce',
      "'\t=1+1", '-12.5', '33', '1990-02-03', 'Yes', '19:30', "''=already quoted",
    ]);
    expect(records[2]).toEqual([
      String(plainId), '447911123456', '', 'Plain', '', 'No Subscriptions', '', '', '', '', '', '', '', '', '', '', 'No',
      '0.5', '0.0000001', '', '', '', '', '', '', '2024-03-02T00:00:00.000Z', 'API', '', '', '',
      "'\r=cmd", '', '', '', 'No', '', 'lone\nLF',
    ]);
    // UTF-8 bytes, no byte order mark; a field with a quote, comma or line break is quoted, quotes doubled.
    expect(raw.startsWith('id,phone_number,')).toBe(true);
    expect(raw).toContain('"O\'Brien, ""Junior""\nsecond line 🎉"');
  });

  describe('gives exactly the rows the list shows, in its order', () => {
    const cases: Array<[string, () => Params]> = [
      ['everything, newest first', () => ({})],
      ['everything, oldest first', () => ({ order: 'asc' })],
      ['text search', () => ({ search: 'an' })],
      ['phone digits search', () => ({ search: '555' })],
      ['subscription status', () => ({ subscription_status: 'none' })],
      ['first seen types', () => ({ first_seen_type: 'CRM,Opted in,Uploaded group' })],
      ['undeliverable reasons, oldest first', () => ({ undeliverable_reason: 'Hard Bounce,Blacklisted', order: 'asc' })],
      ['custom field range and search', () => ({ custom_field: `${fieldIds.get('Age')}:between:25,60`, search: 'e' })],
      ['custom field empty and a gender', () => ({ custom_field: [`${fieldIds.get('Birthday')}:empty`, `${fieldIds.get('Gender')}:in:Female|Non-binary`] })],
      ['custom field text contains and yes/no', () => ({ custom_field: [`${fieldIds.get('Union local')}:contains:local`, `${fieldIds.get('Member')}:eq:true`] })],
    ];
    for (const [name, params] of cases) {
      it(name, async () => {
        const expected = await listIds(params());
        const done = await exportNow(h, A.apiKey, params());
        expect(done.status).toBe('done');
        const { records } = await downloadRecords(h, A.apiKey, done.id);
        expect(records.slice(1).map((r) => Number(r[0]))).toEqual(expected);
        expect(done.row_count).toBe(expected.length);
        expect(expected.length).toBeGreaterThan(0);
      });
    }
  });

  it('refuses parameters the list refuses, naming them, and queues nothing', async () => {
    const before = await h.database.db.selectFrom('exports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await h.call(A.apiKey, 'POST', '/api/v1/exports', { subscription_status: 'sleeping', first_seen_type: 'Carrier pigeon', custom_field: '999:eq:1' });
    expect(res.statusCode).toBe(422);
    const fields = res.json<{ error: { details: { fields: Array<{ field: string }> } } }>().error.details.fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['subscription_status', 'first_seen_type', 'custom_field']));
    const unknown = await h.call(A.apiKey, 'POST', '/api/v1/exports', { cursor: 'abc' });
    expect(unknown.statusCode).toBe(422);
    const after = await h.database.db.selectFrom('exports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("keeps each company's exports to itself: another company's id is 404 everywhere", async () => {
    const done = await exportNow(h, A.apiKey, { search: 'smith' });
    for (const [method, path] of [['GET', `/api/v1/exports/${done.id}`], ['GET', `/api/v1/exports/${done.id}/download`], ['DELETE', `/api/v1/exports/${done.id}`]] as const) {
      const res = await h.call(B.apiKey, method, path);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
    expect((await h.call(B.apiKey, 'GET', '/api/v1/exports')).json<{ data: ExportBody[] }>().data).toEqual([]);
    expect((await h.call(A.apiKey, 'GET', `/api/v1/exports/${done.id}/download`)).statusCode).toBe(200);
  });

  it('lets editors and admins export but not viewers (SPEC §1), on every route', async () => {
    const done = await exportNow(h, A.apiKey);
    for (const [method, path] of [
      ['POST', '/api/v1/exports'], ['GET', '/api/v1/exports'], ['GET', `/api/v1/exports/${done.id}`],
      ['GET', `/api/v1/exports/${done.id}/download`], ['DELETE', `/api/v1/exports/${done.id}`],
    ] as const) {
      const res = await h.call(viewerKey, method, path, method === 'POST' ? {} : undefined);
      expect(res.statusCode, `${method} ${path}`).toBe(403);
    }
    expect((await h.call(editorKey, 'GET', `/api/v1/exports/${done.id}/download`)).statusCode).toBe(200);
    // No body at all is every profile, as GET /profiles without parameters.
    const bare = await h.app.inject({ method: 'POST', url: '/api/v1/exports', headers: { authorization: `Bearer ${editorKey}` } });
    expect(bare.statusCode, bare.body).toBe(202);
    expect(bare.json()).toMatchObject({ name: 'Profiles', parameters: {} });
  });

  it('audits who asked for, downloaded and deleted each export', async () => {
    const done = await exportNow(h, editorKey, { first_seen_type: 'CRM' });
    await downloadRecords(h, editorKey, done.id);
    expect((await h.call(editorKey, 'DELETE', `/api/v1/exports/${done.id}`)).statusCode).toBe(204);
    const audit = (await h.call(A.apiKey, 'GET', `/api/v1/audit-log?entity_type=export&entity_id=${done.id}`)).json<{ data: Array<{ action: string; actor: { label: string }; changes: Record<string, { before: unknown; after: unknown }> }> }>().data;
    expect(audit.map((a) => a.action)).toEqual(['export.deleted', 'export.downloaded', 'export.created']);
    expect(audit.every((a) => a.actor.label.includes('editor key'))).toBe(true);
    expect(audit[2]!.changes.parameters!.after).toEqual({ first_seen_type: 'CRM' });
    expect(audit[1]!.changes.downloaded!.after).toEqual({ rows: done.row_count, bytes: done.file_bytes });
  });

  it('deletes an export with its file, and a queued export that is deleted is never written', async () => {
    const done = await exportNow(h, A.apiKey, { search: 'a' });
    const files = () => readdirSync(join(h.config.dataDir, 'exports', String(A.companyId)));
    const count = files().length;
    expect((await h.call(A.apiKey, 'DELETE', `/api/v1/exports/${done.id}`)).statusCode).toBe(204);
    expect(files()).toHaveLength(count - 1);
    expect((await h.call(A.apiKey, 'GET', `/api/v1/exports/${done.id}`)).statusCode).toBe(404);

    const queued = (await h.call(A.apiKey, 'POST', '/api/v1/exports', {})).json<ExportBody>();
    expect((await h.call(A.apiKey, 'DELETE', `/api/v1/exports/${queued.id}`)).statusCode).toBe(204);
    await h.runJobs();
    expect(files()).toHaveLength(count - 1);
  });

  it('fails with the reason when its filters stop being valid before it runs (a custom field deleted)', async () => {
    const field = (await h.call(A.apiKey, 'POST', '/api/v1/custom-fields', { name: 'Soon gone', field_type: 'text' })).json<{ id: number }>().id;
    const queued = (await h.call(A.apiKey, 'POST', '/api/v1/exports', { custom_field: `${field}:empty` })).json<ExportBody>();
    expect((await h.call(A.apiKey, 'DELETE', `/api/v1/custom-fields/${field}`)).statusCode).toBe(204);
    await h.runJobs();
    const failed = (await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}`)).json<ExportBody>();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/filters are no longer valid: custom_field: "\d+:empty" names no custom field/);
    const download = await h.call(A.apiKey, 'GET', `/api/v1/exports/${queued.id}/download`);
    expect(download.statusCode).toBe(409);
    expect(download.json().error.message).toContain('failed');
  });
});

describeEachEngine('export expiry', (engine) => {
  let h: ExportsHarness;
  beforeAll(async () => {
    // 0.0005 h = 1.8 s.
    h = await exportsHarness(engine, { ROSTER_EXPORT_TTL_HOURS: '0.0005' });
  });
  afterAll(async () => h?.close());

  it('deletes the file when its time is up (the expiry job) and then refuses the download', async () => {
    const A = await h.company();
    await upsertProfiles(h.database, A.companyId, SYSTEM_ACTOR, [{ phone_number: '(202) 555-0150', first_name: 'Expiring' }], { sourceType: 'API', sourceName: null });
    const done = await exportNow(h, A.apiKey);
    expect(done.status).toBe('done');
    const file = () => readdirSync(join(h.config.dataDir, 'exports', String(A.companyId)));
    expect(file()).toHaveLength(1);
    // The expiry job waits for expires_at; once due, the worker runs it.
    expect(await h.runJobs()).toBe(0);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(done.expires_at!) - Date.now()) + 50));
    expect(await h.runJobs()).toBe(1);
    expect(file()).toEqual([]);
    const expired = (await h.call(A.apiKey, 'GET', `/api/v1/exports/${done.id}`)).json<ExportBody>();
    expect(expired).toMatchObject({ status: 'expired', download_url: null });
    const res = await h.call(A.apiKey, 'GET', `/api/v1/exports/${done.id}/download`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/expired at .* export again/);
  });

  it('expires on access when no worker got to it', async () => {
    const A = await h.company();
    const done = await exportNow(h, A.apiKey);
    const path = join(h.config.dataDir, 'exports', String(A.companyId));
    expect(readdirSync(path)).toHaveLength(1);
    await h.database.db.updateTable('exports').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', done.id).execute();
    const list = (await h.call(A.apiKey, 'GET', '/api/v1/exports')).json<{ data: ExportBody[] }>().data;
    expect(list[0]).toMatchObject({ id: done.id, status: 'expired' });
    expect(readdirSync(path)).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });
});
