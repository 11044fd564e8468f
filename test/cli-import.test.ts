import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importProgressLine, parseMapOptions } from '../src/features/uploads/import-cli.js';
import { describeEachEngine } from './db.js';
import { runRoster as roster } from './roster-cli.js';
import { type ExportsHarness, exportsHarness } from './exports.js';

it('reads --map options and draws a progress line', () => {
  expect(parseMapOptions([])).toBeUndefined();
  expect(parseMapOptions(['Cell=phone_number', 'Notes=', 'Shirt=custom:Shirt size', 'a=b=c', 'X=skip'])).toEqual({ Cell: 'phone_number', Notes: null, Shirt: 'custom:Shirt size', 'a=b': 'c', X: null });
  expect(() => parseMapOptions(['nothing'])).toThrow(/column=field/);
  const counts = { rows: 10, created: 2, updated: 1, unchanged: 0, rejected: 1, duplicates: 0 };
  expect(importProgressLine({ progress: 0.65, phase: 'merging', rows_done: 10, counts }, 10)).toBe('[######....]  65%  writing profiles  4 / 10 rows');
  expect(importProgressLine({ progress: 0.1, phase: 'staging', rows_done: 1234, counts }, 10)).toBe('[#.........]  10%  reading the file  1,234 rows');
});

describeEachEngine('roster import (CLI)', (engine) => {
  let h: ExportsHarness;
  let companyId: number;
  let apiKey: string;
  beforeAll(async () => {
    h = await exportsHarness(engine);
    ({ companyId, apiKey } = await h.company());
  }, 60_000);
  afterAll(async () => h?.close());

  it('uploads a file into a group, as the API does, and prints the counts as one JSON line', async () => {
    const file = join(h.dir, 'people.csv');
    writeFileSync(file, 'Cell,Given,Notes\n2025550301,Ann,x\n2025550302,Bo,y\nnope,Bad,z\n2025550301,Ann Again,\n');
    const env = { ROSTER_DATABASE_URL: h.url, ROSTER_DATA_DIR: join(h.dir, 'data') };
    const run = await roster(['import', file, '--company', String(companyId), '--group', 'From the CLI', '--map', 'Cell=phone_number', '--map', 'Given=first_name', '--map', 'Notes='], env);
    expect(run.code, run.stderr).toBe(0);
    // Not a terminal: no progress bar.
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { upload_id: number; group_id: number; status: string; counts: Record<string, number> };
    expect(result).toMatchObject({ status: 'done', counts: { rows: 4, created: 2, updated: 0, unchanged: 0, rejected: 2, duplicates: 1 } });
    const upload = (await h.call(apiKey, 'GET', `/api/v1/uploads/${result.upload_id}`)).json<{ group_name: string; mapping: Record<string, string | null> }>();
    expect(upload).toMatchObject({ group_name: 'From the CLI', mapping: { Cell: 'phone_number', Given: 'first_name', Notes: null } });
    const members = (await h.call(apiKey, 'GET', `/api/v1/groups/${result.group_id}/members`)).json<{ data: Array<{ first_name: string; source_type: string; source_name: string }> }>();
    expect(members.data.map((p) => p.first_name).sort()).toEqual(['Ann Again', 'Bo']);
    expect(members.data[0]).toMatchObject({ source_type: 'Uploaded group', source_name: 'From the CLI' });
    const audit = (await h.call(apiKey, 'GET', `/api/v1/audit-log?entity_type=upload&entity_id=${result.upload_id}`)).json<{ data: Array<{ action: string; actor_label: string }> }>().data;
    expect(audit.map((e) => e.action)).toEqual(['upload.finished', 'upload.created']);

    // Again: nothing changes.
    const again = await roster(['import', file, '--company', String(companyId), '--group', 'From the CLI', '--map', 'Cell=phone_number', '--map', 'Given=first_name', '--map', 'Notes='], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'done', counts: { rows: 4, created: 0, unchanged: 2, rejected: 2 } });
  }, 120_000);

  it('fails with a clear message for a bad file, mapping or company', async () => {
    const env = { ROSTER_DATABASE_URL: h.url, ROSTER_DATA_DIR: join(h.dir, 'data') };
    const noPhone = join(h.dir, 'no-phone.csv');
    writeFileSync(noPhone, 'name\nAnn\n');
    const cases: Array<[string[], RegExp]> = [
      [['import', noPhone, '--company', String(companyId), '--group', 'G'], /no phone column/],
      [['import', join(h.dir, 'missing.csv'), '--company', String(companyId), '--group', 'G'], /no such file/],
      [['import', noPhone, '--company', '999999', '--group', 'G'], /no such company/],
      [['import', noPhone, '--company', String(companyId), '--group', 'G', '--map', 'name=nickname'], /not a field/],
      [['import', noPhone, '--company', String(companyId), '--group', 'G', '--map', 'oops'], /column=field/],
    ];
    for (const [args, message] of cases) {
      const run = await roster(args, env);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
    }
    const unbalanced = join(h.dir, 'unbalanced.csv');
    writeFileSync(unbalanced, `phone,notes\n${'2025550310,ok\n'.repeat(3)}${`${'x'.repeat(99)}\n`.repeat(11_000)}2025550311,"open\n`);
    const failed = await roster(['import', unbalanced, '--company', String(companyId), '--group', 'Unbalanced'], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', error: expect.stringMatching(/never closed/) });
  }, 180_000);
});
