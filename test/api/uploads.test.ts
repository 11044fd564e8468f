import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { newStoredName, uploadFilePath } from '../../src/features/uploads/upload-files.js';
import { createUpload, processUpload } from '../../src/features/uploads/uploads.service.js';
import { describeEachEngine } from '../db.js';
import { exportsHarness, type ExportsHarness } from '../exports.js';
import { multipartBody, postUpload, type UploadBody, uploadNow } from '../uploads.js';

/**
 * CSV upload (SPEC §7) through the API with a real job worker: every rule (create, update, never erase, never first
 * seen or opt-out, rejected rows, duplicates, re-upload), the shapes people upload, malformed files, tenancy, audit.
 * Expected outcomes are written out beside each file.
 */

interface ProfileBody {
  id: number; phone_number: string; first_name: string | null; last_name: string | null; email: string | null; city: string | null;
  source_type: string; source_name: string | null; created_at: string; status: string; opted_out_at: string | null; custom_fields: Record<string, unknown>;
}

const sum = (c: UploadBody['counts']) => c.created + c.updated + c.unchanged + c.rejected;

describeEachEngine('uploads API', (engine) => {
  let h: ExportsHarness;
  let A: { companyId: number; apiKey: string };
  let B: { companyId: number; apiKey: string };
  let editor: string;
  let viewer: string;
  let groupSeq = 0;
  const group = () => `Group ${++groupSeq}`;

  async function lookup(key: string, phone: string): Promise<ProfileBody | null> {
    const res = await h.call(key, 'GET', `/api/v1/profiles/lookup?phone_number=${encodeURIComponent(phone)}`);
    return res.statusCode === 200 ? res.json<ProfileBody>() : null;
  }
  async function report(key: string, upload: UploadBody): Promise<string[][]> {
    const res = await h.call(key, 'GET', `/api/v1/uploads/${upload.id}/rejected`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    return parse(res.body) as string[][];
  }
  async function profileCount(companyId: number): Promise<number> {
    const row = await h.database.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  beforeAll(async () => {
    h = await exportsHarness(engine, { ROSTER_UPLOAD_MAX_MB: '60' });
    A = await h.company('A');
    B = await h.company('B');
    editor = await h.key(A.apiKey, 'editor');
    viewer = await h.key(A.apiKey, 'viewer');
    for (const [name, field_type] of [['Shirt size', 'text'], ['Age', 'age'], ['Member', 'yes_no']] as const) {
      const res = await h.call(A.apiKey, 'POST', '/api/v1/custom-fields', { name, field_type });
      expect(res.statusCode, res.body).toBe(201);
    }
  }, 60_000);
  afterAll(async () => h?.close());

  describe('rules', () => {
    it('creates Uploaded group profiles, updates existing ones without erasing, first-seen or opt-out changes, and accounts for every row', async () => {
      // Already here: Rosa (first seen API, with an email and a city) and Opted (opted out by staff).
      const rosa = (await h.call(A.apiKey, 'POST', '/api/v1/profiles', { phone_number: '617-555-0144', first_name: 'Rosa', last_name: 'Parks', email: 'rosa@example.org', city: 'Boston' })).json<ProfileBody>();
      const opted = (await h.call(A.apiKey, 'POST', '/api/v1/profiles', { phone_number: '617-555-0145', first_name: 'Opted' })).json<ProfileBody>();
      expect((await h.call(A.apiKey, 'POST', `/api/v1/profiles/${opted.id}/opt-out`, {})).statusCode).toBeLessThan(300);
      const optedBefore = (await lookup(A.apiKey, '617-555-0145'))!;
      expect(optedBefore.status).toBe('Opted Out');
      const name = group();
      const file = [
        'Mobile,First Name,Last Name,Email,City,Shirt size,Age,Member',
        '(202) 555-0101,Ada,Lovelace,ada@example.org,London,M,36,yes',
        'not a number,Bad,Row,bad@example.org,,S,,',
        '617.555.0144,Rosa,Parks-McCauley,,,L,,',
        '+1 617 555 0145,Opted,Again,,,,,',
        '202-555-0102,Grace,Hopper,grace@example,,,,',
        '202-555-0103,Alan,Turing,,,XL,two hundred,maybe',
        '12,Too,Short,,,,,',
      ].join('\r\n');
      const done = await uploadNow(h, editor, file, { group: name });
      expect(done).toMatchObject({ status: 'done', error: null, group_name: name, encoding: 'utf-8' });
      expect(done.counts).toEqual({ rows: 7, created: 1, updated: 2, unchanged: 0, rejected: 4, duplicates: 0 });
      expect(sum(done.counts)).toBe(done.counts.rows);
      expect(done.mapping).toEqual({ Mobile: 'phone_number', 'First Name': 'first_name', 'Last Name': 'last_name', Email: 'email', City: 'city', 'Shirt size': 'custom:Shirt size', Age: 'custom:Age', Member: 'custom:Member' });

      const ada = (await lookup(A.apiKey, '2025550101'))!;
      expect(ada).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.org', city: 'London', source_type: 'Uploaded group', source_name: name });
      expect(ada.custom_fields).toMatchObject({ 'Shirt size': 'M', Age: 36, Member: true });
      const rosaAfter = (await lookup(A.apiKey, '6175550144'))!;
      // Updated: last name and shirt size; empty cells erase nothing; first seen stays.
      expect(rosaAfter).toMatchObject({ last_name: 'Parks-McCauley', email: 'rosa@example.org', city: 'Boston', source_type: 'API', created_at: rosa.created_at });
      expect(rosaAfter.custom_fields['Shirt size']).toBe('L');
      // The change is in Rosa's audit trail, by the uploader.
      const trail = (await h.call(A.apiKey, 'GET', `/api/v1/audit-log?entity_type=profile&entity_id=${rosa.id}`)).json<{ data: Array<{ action: string; changes: Record<string, unknown> }> }>().data;
      expect(trail[0]).toMatchObject({ action: 'profile.updated', changes: { last_name: { before: 'Parks', after: 'Parks-McCauley' } } });
      expect(Object.keys(trail[0]!.changes).sort()).toEqual(['custom_fields.Shirt size', 'last_name']);
      // Still opted out: an upload never opts anyone in (or out).
      const optedAfter = (await lookup(A.apiKey, '6175550145'))!;
      expect(optedAfter).toMatchObject({ status: 'Opted Out', opted_out_at: optedBefore.opted_out_at, last_name: 'Again', source_type: 'API' });
      // Rejected whole: nothing of these rows was written.
      expect(await lookup(A.apiKey, '2025550102')).toBeNull();
      expect(await lookup(A.apiKey, '2025550103')).toBeNull();

      const lines = await report(editor, done);
      expect(lines[0]).toEqual(['row_number', 'column', 'value', 'reason']);
      expect(lines.slice(1).map(([row, column, value]) => [row, column, value])).toEqual([
        ['3', 'Mobile', 'not a number'],
        ['6', 'Email', 'grace@example'],
        ['7', 'Age', 'two hundred'],
        ['7', 'Member', 'maybe'],
        ['8', 'Mobile', '12'],
      ]);
      expect(lines[1]![3]).toMatch(/^phone number contains letters/);
      expect(lines[2]![3]).toMatch(/not an email address/);
      expect(lines[3]![3]).toMatch(/Age field \(accepted: .*0.*150/);
      expect(new Set(lines.slice(1).map((l) => l[0])).size).toBe(done.counts.rejected);

      // The group holds the created and updated profiles.
      const members = (await h.call(viewer, 'GET', `/api/v1/profiles?group_id=${done.group_id}&per_page=250`)).json<{ data: ProfileBody[]; total: number }>();
      expect(members.data.map((p) => p.phone_number).sort()).toEqual(['+12025550101', '+16175550144', '+16175550145']);
      // And First seen type Uploaded group finds the new one.
      const uploaded = (await h.call(viewer, 'GET', '/api/v1/profiles?first_seen_type=Uploaded%20group&per_page=250')).json<{ data: ProfileBody[] }>();
      expect(uploaded.data.map((p) => p.phone_number)).toContain('+12025550101');
    });

    it('re-uploading the same file changes nothing: every row unchanged or rejected again, no profile audit entries', async () => {
      const name = group();
      const file = 'phone,first_name,Shirt size\n2025550111,Kim,S\n2025550112,Lee,\nbad,Nope,\n';
      const first = await uploadNow(h, editor, file, { group: name });
      expect(first.counts).toMatchObject({ rows: 3, created: 2, rejected: 1 });
      const before = await h.database.db.selectFrom('audit_log').select((eb) => eb.fn.max('id').as('max')).where('company_id', '=', A.companyId).executeTakeFirstOrThrow();
      const second = await uploadNow(h, editor, file, { group: name });
      expect(second.counts).toEqual({ rows: 3, created: 0, updated: 0, unchanged: 2, rejected: 1, duplicates: 0 });
      expect(second.group_id).toBe(first.group_id);
      const entries = await h.database.db.selectFrom('audit_log').select(['action', 'entity_type']).where('company_id', '=', A.companyId).where('id', '>', Number(before.max)).execute();
      expect(entries.filter((e) => e.entity_type === 'profile')).toEqual([]);
      expect(entries.map((e) => e.action).sort()).toEqual(['upload.created', 'upload.finished']);
      expect((await h.call(viewer, 'GET', `/api/v1/groups/${first.group_id}`)).json<{ member_count: number }>().member_count).toBe(2);
    });

    it('the same number twice is one profile: the later row wins, the earlier is reported and counted as rejected', async () => {
      const file = ['phone,first_name,last_name', '202-555-0121,Early,Bird', '202-555-0122,Only,Once', '(202) 555-0121,Late,', '+12025550121,Latest,Comer'].join('\n');
      const done = await uploadNow(h, editor, file, { group: group() });
      expect(done.counts).toEqual({ rows: 4, created: 2, updated: 0, unchanged: 0, rejected: 2, duplicates: 2 });
      expect(sum(done.counts)).toBe(4);
      expect(await lookup(A.apiKey, '2025550121')).toMatchObject({ first_name: 'Latest', last_name: 'Comer' });
      const lines = await report(editor, done);
      expect(lines.slice(1).map((l) => [l[0], l[1], l[2]])).toEqual([['2', 'phone', '202-555-0121'], ['4', 'phone', '(202) 555-0121']]);
      expect(lines[1]![3]).toContain('row 5');
      // Uploaded again, the duplicates are reported again and the rest is unchanged.
      const again = await uploadNow(h, editor, file, { group: group() });
      expect(again.counts).toEqual({ rows: 4, created: 0, updated: 0, unchanged: 2, rejected: 2, duplicates: 2 });
    });

    it('merges across batches: a number repeated in a later batch wins there, every row is counted once, re-running changes nothing', async () => {
      // Merged 3 staged rows at a time (rows 2–4, 5–8, 9–11; row 6 is rejected while staging): rows 2 and 9, 4 and 5, 7 and 11 share a number.
      const file = [
        'phone,first_name,Age',
        '202-555-0741,First,20', '202-555-0742,Four,21', '202-555-0743,Row4,22',
        '+12025550743,Row5,23', 'nope,Bad,24', '202-555-0744,Row7,40',
        '202-555-0745,Row8,25', '(202) 555-0741,Again,', '202-555-0746,Row10,26',
        '2025550744,Row11,',
      ].join('\n');
      const uploadedTotal = async () => (await h.call(viewer, 'GET', '/api/v1/profiles?first_seen_type=Uploaded%20group')).json<{ total: number }>().total;
      const totalBefore = await uploadedTotal();
      const run = async (name: string) => {
        const storedName = newStoredName();
        const path = uploadFilePath(h.config.dataDir, A.companyId, storedName);
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, file);
        const created = await createUpload(h.database, A.companyId, SYSTEM_ACTOR, { fileName: 'batches.csv', storedName, path, groupName: name }, { queue: false });
        const progress: number[] = [];
        const done = await processUpload(h.database, A.companyId, created.id, path, { mergeBatchRows: 3, onProgress: (v) => void progress.push(v.progress) });
        return { done, progress };
      };
      const name = group();
      const { done, progress } = await run(name);
      expect(done.counts).toEqual({ rows: 10, created: 6, updated: 0, unchanged: 0, rejected: 4, duplicates: 3 });
      // One progress report per batch: the file staged in one, its 9 valid rows merged in three, never going back.
      expect(progress).toHaveLength(4);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      expect(await lookup(A.apiKey, '2025550741')).toMatchObject({ first_name: 'Again', custom_fields: { Age: null } });
      expect(await lookup(A.apiKey, '2025550743')).toMatchObject({ first_name: 'Row5', custom_fields: { Age: 23 } });
      expect(await lookup(A.apiKey, '2025550744')).toMatchObject({ first_name: 'Row11', custom_fields: { Age: null } });
      const lines = await report(editor, done);
      expect(lines.slice(1).map((l) => [l[0], l[2]])).toEqual([['2', '202-555-0741'], ['4', '202-555-0743'], ['6', 'nope'], ['7', '202-555-0744']]);
      expect(lines[1]![3]).toContain('row 9');
      expect(lines[2]![3]).toContain('row 5');
      expect(lines[4]![3]).toContain('row 11');
      expect((await h.call(viewer, 'GET', `/api/v1/groups/${done.group_id}`)).json<{ member_count: number }>().member_count).toBe(6);
      // The kept totals (profile_counts) moved by exactly the profiles created.
      expect(await uploadedTotal()).toBe(totalBefore + 6);
      const again = (await run(name)).done;
      expect(again.counts).toEqual({ rows: 10, created: 0, updated: 0, unchanged: 6, rejected: 4, duplicates: 3 });
      expect(again.group_id).toBe(done.group_id);
      expect(await uploadedTotal()).toBe(totalBefore + 6);
    });

    it('follows the mapping given: renamed and skipped columns, custom fields by key', async () => {
      const file = 'Cell,Given,Notes,Shirt\n2025550131,Mapped,do not import,XXL\n';
      const done = await uploadNow(h, editor, file, { group: group(), mapping: { Cell: 'phone_number', Given: 'first_name', Notes: null, Shirt: 'custom:Shirt size' } });
      expect(done.counts).toMatchObject({ created: 1, rejected: 0 });
      expect(done.mapping).toEqual({ Cell: 'phone_number', Given: 'first_name', Notes: null, Shirt: 'custom:Shirt size' });
      const p = (await lookup(A.apiKey, '2025550131'))!;
      expect(p).toMatchObject({ first_name: 'Mapped' });
      expect(p.custom_fields['Shirt size']).toBe('XXL');
      // Skipping the phone column leaves none: refused up front.
      const noPhone = await postUpload(h, editor, file, { group: group(), mapping: { Cell: null } });
      expect(noPhone.statusCode).toBe(422);
      expect(noPhone.json().error.details.fields[0].message).toContain('no phone column');
    });

    it('refuses a bad mapping or group up front, naming the field, and records nothing', async () => {
      const file = 'phone,first\n2025550141,X\n';
      const before = (await h.call(editor, 'GET', '/api/v1/uploads?limit=200')).json<{ data: unknown[] }>().data.length;
      const cases: Array<[Parameters<typeof postUpload>[3], number, string]> = [
        [{ group: group(), mapping: { phone: 'phone_number', first: 'nickname' } }, 422, 'mapping.first'],
        [{ group: group(), mapping: { phone: 'phone_number', Missing: 'first_name' } }, 422, 'mapping.Missing'],
        [{ group: group(), mapping: { phone: 'phone_number', first: 'phone_number' } }, 422, 'mapping.first'],
        [{ group: group(), mapping: 'not json' }, 422, 'mapping'],
        [{}, 422, 'group_name'],
        [{ group: ' ' }, 422, 'group_name'],
      ];
      for (const [options, status, field] of cases) {
        const res = await postUpload(h, editor, file, options);
        expect(res.statusCode, res.body).toBe(status);
        expect(JSON.stringify(res.json().error.details)).toContain(field);
      }
      const filtered = await h.call(editor, 'POST', '/api/v1/groups', { name: 'A filtered one', kind: 'filtered', filter: { search: 'x' } });
      expect(filtered.statusCode).toBe(201);
      const conflict = await postUpload(h, editor, file, { group: 'a FILTERED one' });
      expect(conflict.statusCode).toBe(409);
      expect((await h.call(editor, 'GET', '/api/v1/uploads?limit=200')).json<{ data: unknown[] }>().data.length).toBe(before);
      expect(await lookup(A.apiKey, '2025550141')).toBeNull();
    });
  });

  describe('shapes', () => {
    it('reads UTF-8 with a BOM, semicolons, CRLF, quoted newlines, blank lines and ragged rows', async () => {
      const file = '\uFEFFTelefon Nummer;First name;Street1;City\r\n"202 555 0151";Zoë;"12 Main St\r\nApt 4";Zürich\r\n\r\n;;;\r\n2025550152;Short\r\n2025550153;Extra;1 Road;Town;surplus;cells\r\n';
      const done = await uploadNow(h, editor, file, { group: group(), mapping: { 'Telefon Nummer': 'phone_number' } });
      expect(done).toMatchObject({ status: 'done', encoding: 'utf-8', delimiter: 'semicolon' });
      expect(done.counts).toMatchObject({ rows: 3, created: 3, rejected: 0 });
      expect(await lookup(A.apiKey, '2025550151')).toMatchObject({ first_name: 'Zoë', street1: '12 Main St\r\nApt 4', city: 'Zürich' });
      expect(await lookup(A.apiKey, '2025550152')).toMatchObject({ first_name: 'Short', city: null });
      expect(await lookup(A.apiKey, '2025550153')).toMatchObject({ first_name: 'Extra', city: 'Town' });
    });

    it('reads tab-separated files, and numbers rows as lines of the file', async () => {
      const file = 'mobile_number\tlast name\n2025550161\tTab\n\nnope\tBad\n';
      const done = await uploadNow(h, editor, file, { group: group() });
      expect(done).toMatchObject({ delimiter: 'tab' });
      expect(done.counts).toMatchObject({ rows: 2, created: 1, rejected: 1 });
      expect((await report(editor, done))[1]!.slice(0, 3)).toEqual(['4', 'mobile_number', 'nope']);
    });

    it('detects Windows-1252 and converts it', async () => {
      const file = iconv.encode('Phone,First Name,Last Name\r\n2025550171,Zoë,“Smart” Ñandú\r\n', 'win1252');
      expect(file.includes(Buffer.from('Zoë', 'utf8'))).toBe(false);
      const done = await uploadNow(h, editor, file, { group: group() });
      expect(done).toMatchObject({ status: 'done', encoding: 'windows-1252' });
      expect(await lookup(A.apiKey, '2025550171')).toMatchObject({ first_name: 'Zoë', last_name: '“Smart” Ñandú' });
    });

    it('reads a file again as Windows-1252 when it stops being UTF-8 after the first megabyte', async () => {
      const notes = 'n'.repeat(1000);
      const rows = Array.from({ length: 1100 }, (_, i) => `+1202555${String(2000 + i)},Row${i},${notes}`);
      const tail = iconv.encode('+12025553999,Renée,x\n', 'win1252');
      const file = Buffer.concat([Buffer.from(['phone,first_name,notes', ...rows].join('\n') + '\n'), tail]);
      const res = await postUpload(h, editor, file, { group: group() });
      expect(res.json<UploadBody>().encoding).toBe('utf-8');
      await h.runJobs();
      const done = (await h.call(editor, 'GET', `/api/v1/uploads/${res.json<UploadBody>().id}`)).json<UploadBody>();
      expect(done).toMatchObject({ status: 'done', encoding: 'windows-1252' });
      expect(done.counts).toMatchObject({ rows: 1101, created: 1101, rejected: 0 });
      expect(await lookup(A.apiKey, '+12025553999')).toMatchObject({ first_name: 'Renée' });
    }, 120_000);

    it('streams a 50 MB file', async () => {
      const notes = 'x'.repeat(5000);
      const lines = ['phone,first_name,notes'];
      for (let i = 0; i < 10_000; i++) lines.push(`+1312555${String(1000 + (i % 9000)).padStart(4, '0')},P${i},${notes}`);
      const file = Buffer.from(lines.join('\n') + '\n');
      expect(file.length).toBeGreaterThan(50_000_000);
      const done = await uploadNow(h, editor, file, { group: group(), mapping: { notes: null } });
      expect(done.status, done.error ?? '').toBe('done');
      expect(done.bytes_total).toBe(file.length);
      expect(done.bytes_done).toBe(file.length);
      // 9,000 distinct numbers; the last 1,000 rows repeat the first 1,000 and win.
      expect(done.counts).toEqual({ rows: 10_000, created: 9000, updated: 0, unchanged: 0, rejected: 1000, duplicates: 1000 });
      expect(await lookup(A.apiKey, '+13125551000')).toMatchObject({ first_name: 'P9000' });
    }, 300_000);

    it('refuses a file over ROSTER_UPLOAD_MAX_MB with 413 and keeps nothing of it', async () => {
      const small = await exportsHarness(engine, { ROSTER_UPLOAD_MAX_MB: '0.01' });
      try {
        const c = await small.company();
        const res = await postUpload(small, c.apiKey, `phone\n${'2025550100\n'.repeat(2000)}`, { group: 'Big' });
        expect(res.statusCode).toBe(413);
        expect(res.json().error.message).toContain('ROSTER_UPLOAD_MAX_MB');
        const { readdir } = await import('node:fs/promises');
        expect(await readdir(join(small.config.dataDir, 'uploads', String(c.companyId))).catch(() => [])).toEqual([]);
      } finally {
        await small.close();
      }
    });
  });

  describe('malformed files', () => {
    it('an unbalanced quote is refused up front when the first megabyte shows it', async () => {
      const res = await postUpload(h, editor, 'phone,first_name\n2025550181,Fine\n2025550182,"Never closed\n2025550183,Lost\n', { group: group() });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toMatch(/opening quote that is never closed \(line 3\)/);
      expect(await lookup(A.apiKey, '2025550181')).toBeNull();
    });

    it('an unbalanced quote further on fails the upload with a clear error and changes nothing', async () => {
      const before = await profileCount(A.companyId);
      const notes = 'n'.repeat(1000);
      const good = Array.from({ length: 1100 }, (_, i) => `+1202556${String(1000 + i)},Fine${i},${notes}`);
      const file = ['phone,first_name,notes', ...good, '2025550182,"Never closed,x', '2025550183,Lost,x'].join('\n') + '\n';
      const done = await uploadNow(h, editor, file, { group: group() });
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/quote that is never closed.*Nothing was imported/);
      expect(await profileCount(A.companyId)).toBe(before);
      expect((await h.call(viewer, 'GET', `/api/v1/groups/${done.group_id}`)).json<{ member_count: number }>().member_count).toBe(0);
      expect((await h.call(editor, 'GET', `/api/v1/uploads/${done.id}/rejected`)).statusCode).toBe(409);
      const staged = await h.database.db.selectFrom('upload_rows').select('row_number').where('company_id', '=', A.companyId).where('upload_id', '=', done.id).execute();
      expect(staged).toEqual([]);
    });

    it('refuses binary garbage, UTF-16, an empty file and a file with no phone column up front', async () => {
      const cases: Array<[Buffer | string, RegExp]> = [
        [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10, 0x00]), /not CSV text: it contains a NUL byte/],
        [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('phone\n', 'utf16le')]), /UTF-16/],
        ['', /empty/],
        ['name,email\nAda,ada@example.org\n', /no phone column/],
      ];
      for (const [content, message] of cases) {
        const res = await postUpload(h, editor, content, { group: group() });
        expect(res.statusCode, res.body).toBe(422);
        expect(JSON.stringify(res.json().error)).toMatch(message);
      }
    });

    it('binary data after a good start fails the upload and changes nothing', async () => {
      const before = await profileCount(A.companyId);
      const file = Buffer.concat([Buffer.from('phone,first_name\n2025550191,Fine\n'), Buffer.from(`${'x'.repeat(99)}\n`.repeat(11_000)), Buffer.from([0, 1, 2, 3])]);
      const done = await uploadNow(h, editor, file, { group: group() });
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/NUL byte at byte \d+.*Nothing was imported/);
      expect(await profileCount(A.companyId)).toBe(before);
    });

    it('a 100,000-character cell rejects its row (reported, value shortened); in a skipped column it is ignored', async () => {
      const huge = 'y'.repeat(100_000);
      const file = `phone,first_name,notes\n2025550192,${huge},ok\n2025550193,Fine,${huge}\n`;
      const done = await uploadNow(h, editor, file, { group: group(), mapping: { notes: null } });
      expect(done.counts).toEqual({ rows: 2, created: 1, updated: 0, unchanged: 0, rejected: 1, duplicates: 0 });
      const lines = await report(editor, done);
      expect(lines[1]!.slice(0, 2)).toEqual(['2', 'first_name']);
      expect(lines[1]![2]!.length).toBeLessThan(1100);
      expect(lines[1]![3]).toMatch(/too long/);
      expect(await lookup(A.apiKey, '2025550193')).toMatchObject({ first_name: 'Fine' });
    });

    it('a header with no data rows fails with a clear error', async () => {
      const done = await uploadNow(h, editor, 'phone,first_name\n\n', { group: group() });
      expect(done).toMatchObject({ status: 'failed' });
      expect(done.error).toMatch(/no rows of data/);
    });
  });

  it('previews a file: encoding, separator, proposed fields and the first 10 rows', async () => {
    const rows = Array.from({ length: 15 }, (_, i) => `+1202555${3000 + i};Name ${i};${i}`);
    const body = multipartBody([], { content: iconv.encode(['Cell Phone;Prénom;Age', ...rows].join('\r\n'), 'win1252') });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/uploads/preview', headers: { authorization: `Bearer ${editor}`, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(200);
    const preview = res.json<{ encoding: string; delimiter: string; columns: unknown[]; rows: string[][]; fields: Array<{ key: string; label: string }> }>();
    expect(preview.encoding).toBe('windows-1252');
    expect(preview.delimiter).toBe(';');
    expect(preview.columns).toEqual([{ index: 0, header: 'Cell Phone', field: 'phone_number' }, { index: 1, header: 'Prénom', field: null }, { index: 2, header: 'Age', field: 'custom:Age' }]);
    expect(preview.rows).toHaveLength(10);
    expect(preview.rows[0]).toEqual(['+12025553000', 'Name 0', '0']);
    expect(preview.fields.map((f) => f.key)).toEqual(['phone_number', 'first_name', 'last_name', 'email', 'street1', 'street2', 'city', 'state', 'postal_code', 'country', 'custom:Shirt size', 'custom:Age', 'custom:Member']);
    // Another company's preview proposes only its own fields; viewers cannot preview.
    const theirs = await h.app.inject({ method: 'POST', url: '/api/v1/uploads/preview', headers: { authorization: `Bearer ${B.apiKey}`, 'content-type': body.contentType }, payload: body.payload });
    expect(theirs.json<{ fields: Array<{ key: string }>; columns: Array<{ field: string | null }> }>().fields.map((f) => f.key).filter((k) => k.startsWith('custom:'))).toEqual([]);
    expect(theirs.json<{ columns: Array<{ field: string | null }> }>().columns[2]!.field).toBeNull();
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/uploads/preview', headers: { authorization: `Bearer ${viewer}`, 'content-type': body.contentType }, payload: body.payload })).statusCode).toBe(403);
    const bad = multipartBody([], { content: Buffer.from([0, 1, 2]) });
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/uploads/preview', headers: { authorization: `Bearer ${editor}`, 'content-type': bad.contentType }, payload: bad.payload })).statusCode).toBe(422);
  });

  it('resumes after a worker dies mid-merge or mid-staging without counting a row twice', async () => {
    const lines = ['phone,first_name'];
    for (let i = 0; i < 2500; i++) lines.push(`+1415555${String(1000 + i)},R${i}`);
    const storedName = newStoredName();
    const path = uploadFilePath(h.config.dataDir, A.companyId, storedName);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, lines.join('\n'));
    const created = await createUpload(h.database, A.companyId, SYSTEM_ACTOR, { fileName: 'crash.csv', storedName, path, groupName: group() }, { queue: false });
    let calls = 0;
    const dieOnce = (phase: string) => async (view: UploadBody | { phase: string }) => {
      if (view.phase === phase && ++calls === 1) throw new Error('worker died');
    };
    // Batches of 1,000 rows, so the merge dies with some batches committed and some not.
    const mergeBatchRows = 1000;
    await expect(processUpload(h.database, A.companyId, created.id, path, { onProgress: dieOnce('staging'), mergeBatchRows })).rejects.toThrow('worker died');
    calls = 0;
    await expect(processUpload(h.database, A.companyId, created.id, path, { onProgress: dieOnce('merging'), mergeBatchRows })).rejects.toThrow('worker died');
    const midway = (await h.call(editor, 'GET', `/api/v1/uploads/${created.id}`)).json<UploadBody>();
    expect(midway.counts.created).toBe(1000);
    const done = await processUpload(h.database, A.companyId, created.id, path, { mergeBatchRows });
    expect(done.counts).toEqual({ rows: 2500, created: 2500, updated: 0, unchanged: 0, rejected: 0, duplicates: 0 });
    expect((await h.call(viewer, 'GET', `/api/v1/groups/${done.group_id}`)).json<{ member_count: number }>().member_count).toBe(2500);
  }, 120_000);

  it('another company cannot see an upload or its report (404), and lists only its own', async () => {
    const done = await uploadNow(h, editor, 'phone\n2025550199\nbad\n', { group: group() });
    expect((await h.call(B.apiKey, 'GET', `/api/v1/uploads/${done.id}`)).statusCode).toBe(404);
    expect((await h.call(B.apiKey, 'GET', `/api/v1/uploads/${done.id}/rejected`)).statusCode).toBe(404);
    expect((await h.call(B.apiKey, 'GET', '/api/v1/uploads')).json<{ data: unknown[] }>().data).toEqual([]);
    expect(await lookup(B.apiKey, '2025550199')).toBeNull();
    // B's upload of the same number creates B's own profile in B's own group of the same name.
    const theirs = await uploadNow(h, B.apiKey, 'phone\n2025550199\n', { group: done.group_name });
    expect(theirs.counts.created).toBe(1);
    expect(theirs.group_id).not.toBe(done.group_id);
  });

  it('viewers can neither upload nor read uploads; uploads are audited', async () => {
    expect((await postUpload(h, viewer, 'phone\n2025550100\n', { group: group() })).statusCode).toBe(403);
    expect((await h.call(viewer, 'GET', '/api/v1/uploads')).statusCode).toBe(403);
    const done = await uploadNow(h, editor, 'phone,first_name\n2025550198,Audit\n', { group: group() });
    const entries = (await h.call(A.apiKey, 'GET', `/api/v1/audit-log?entity_type=upload&entity_id=${done.id}`)).json<{ data: Array<{ action: string; changes: Record<string, { after: unknown }> }> }>().data;
    expect(entries.map((e) => e.action)).toEqual(['upload.finished', 'upload.created']);
    expect(entries[0]!.changes.counts!.after).toMatchObject({ rows: 1, created: 1 });
    const list = (await h.call(editor, 'GET', '/api/v1/uploads?limit=2')).json<{ data: UploadBody[] }>().data;
    expect(list[0]!.id).toBe(done.id);
  });
});
