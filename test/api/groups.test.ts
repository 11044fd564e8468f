import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { exportsHarness, type ExportsHarness } from '../exports.js';

/** Groups (SPEC §7) through the API: uploaded and filtered groups, members, the group-scoped Profiles list, tenancy, audit. */

interface GroupBody { id: number; name: string; kind: string; filter: Record<string, unknown> | null; member_count: number; created_at: string; updated_at: string }
interface PageBody { data: Array<{ id: number; first_name: string | null; phone_number: string }>; total: number; page: number; per_page: number }

describeEachEngine('groups API', (engine) => {
  let h: ExportsHarness;
  let A: { companyId: number; apiKey: string };
  let B: { companyId: number; apiKey: string };
  let viewer: string;
  let editor: string;
  const ids: number[] = [];

  async function profile(key: string, phone: string, first: string, extra: Record<string, unknown> = {}): Promise<number> {
    const res = await h.call(key, 'POST', '/api/v1/profiles', { phone_number: phone, first_name: first, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number }>().id;
  }

  async function audit(key: string, entityType: string) {
    return (await h.call(key, 'GET', `/api/v1/audit-log?entity_type=${entityType}&limit=500`)).json<{ data: Array<{ action: string; entity_id: string; changes: Record<string, { before: unknown; after: unknown }> }> }>().data;
  }

  beforeAll(async () => {
    h = await exportsHarness(engine);
    A = await h.company('A');
    B = await h.company('B');
    viewer = await h.key(A.apiKey, 'viewer');
    editor = await h.key(A.apiKey, 'editor');
    const names = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara'];
    for (const [i, name] of names.entries()) ids.push(await profile(A.apiKey, `(202) 555-01${String(i + 10)}`, name));
    await profile(B.apiKey, '(202) 555-0199', 'Other company');
  }, 60_000);
  afterAll(async () => h?.close());

  it('creates an uploaded group (201) and a filtered one, refusing a taken name whatever its case or spacing', async () => {
    const res = await h.call(editor, 'POST', '/api/v1/groups', { name: '  Spring   canvass ', kind: 'uploaded' });
    expect(res.statusCode, res.body).toBe(201);
    const group = res.json<GroupBody>();
    expect(group).toMatchObject({ name: 'Spring canvass', kind: 'uploaded', filter: null, member_count: 0 });
    expect(res.headers.location).toBe(`/api/v1/groups/${group.id}`);
    const again = await h.call(editor, 'POST', '/api/v1/groups', { name: 'spring CANVASS', kind: 'filtered', filter: { search: 'a' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('already exists');
    const filtered = await h.call(editor, 'POST', '/api/v1/groups', { name: 'Names with r', kind: 'filtered', filter: { search: 'r', first_seen_type: 'API' } });
    expect(filtered.statusCode, filtered.body).toBe(201);
    // Grace, Barbara and Edsger have an r.
    expect(filtered.json<GroupBody>()).toMatchObject({ kind: 'filtered', filter: { search: 'r', first_seen_type: 'API' }, member_count: 3 });
  });

  it('refuses bad groups with errors naming the field', async () => {
    const noFilter = await h.call(editor, 'POST', '/api/v1/groups', { name: 'No filter', kind: 'filtered' });
    expect(noFilter.statusCode).toBe(422);
    expect(noFilter.json().error.details.fields[0]).toMatchObject({ field: 'filter' });
    const badFilter = await h.call(editor, 'POST', '/api/v1/groups', { name: 'Bad filter', kind: 'filtered', filter: { subscription_status: 'sleeping' } });
    expect(badFilter.statusCode).toBe(422);
    expect(badFilter.json().error.details.fields[0]).toMatchObject({ field: 'filter.subscription_status', value: 'sleeping' });
    const filterOnUploaded = await h.call(editor, 'POST', '/api/v1/groups', { name: 'Uploaded with filter', kind: 'uploaded', filter: { search: 'x' } });
    expect(filterOnUploaded.statusCode).toBe(422);
    const empty = await h.call(editor, 'POST', '/api/v1/groups', { name: '   ', kind: 'uploaded' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().error.details.fields[0]).toMatchObject({ field: 'name' });
    const long = await h.call(editor, 'POST', '/api/v1/groups', { name: 'x'.repeat(201), kind: 'uploaded' });
    expect(long.statusCode).toBe(422);
    const kind = await h.call(editor, 'POST', '/api/v1/groups', { name: 'Kind', kind: 'static' });
    expect(kind.statusCode).toBe(422);
  });

  it('adds and removes members of an uploaded group, and scopes the Profiles list to it', async () => {
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'Members', kind: 'uploaded' })).json<GroupBody>();
    const add = await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0], ids[1], ids[2], ids[0]] });
    expect(add.statusCode, add.body).toBe(200);
    expect(add.json()).toEqual({ added: 3 });
    expect((await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[1], ids[3]] })).json()).toEqual({ added: 1 });
    expect((await h.call(viewer, 'GET', `/api/v1/groups/${group.id}`)).json<GroupBody>().member_count).toBe(4);

    const members = (await h.call(viewer, 'GET', `/api/v1/groups/${group.id}/members?order=asc`)).json<PageBody>();
    expect(members.total).toBe(4);
    expect(members.data.map((p) => p.id)).toEqual([ids[0], ids[1], ids[2], ids[3]]);
    // The list's own parameters still apply, within the group.
    const searched = (await h.call(viewer, 'GET', `/api/v1/groups/${group.id}/members?search=gra`)).json<PageBody>();
    expect(searched.data.map((p) => p.first_name)).toEqual(['Grace']);
    const viaProfiles = (await h.call(viewer, 'GET', `/api/v1/profiles?group_id=${group.id}&per_page=25`)).json<PageBody>();
    expect(viaProfiles.total).toBe(4);
    expect(new Set(viaProfiles.data.map((p) => p.id))).toEqual(new Set(ids.slice(0, 4)));

    const removed = await h.call(editor, 'DELETE', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0], ids[4]] });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toEqual({ removed: 1 });
    expect((await h.call(viewer, 'GET', `/api/v1/profiles?group_id=${group.id}`)).json<PageBody>().total).toBe(3);
    // The profile itself stays.
    expect((await h.call(viewer, 'GET', `/api/v1/profiles/${ids[0]}`)).statusCode).toBe(200);

    const unknown = await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[4], 999_999] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details.fields[0]).toMatchObject({ field: 'profile_ids', value: [999_999] });
    // Nothing of a refused request is kept.
    expect((await h.call(viewer, 'GET', `/api/v1/groups/${group.id}`)).json<GroupBody>().member_count).toBe(3);
  });

  it('a filtered group’s members are its saved filter AND the request’s; it has no member list to change (409)', async () => {
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'Has an a', kind: 'filtered', filter: { search: 'a' } })).json<GroupBody>();
    // Ada, Grace, Alan, Barbara.
    expect(group.member_count).toBe(4);
    const members = (await h.call(viewer, 'GET', `/api/v1/groups/${group.id}/members`)).json<PageBody>();
    expect(members.data.map((p) => p.first_name).sort()).toEqual(['Ada', 'Alan', 'Barbara', 'Grace']);
    const both = (await h.call(viewer, 'GET', `/api/v1/groups/${group.id}/members?search=r`)).json<PageBody>();
    expect(both.data.map((p) => p.first_name).sort()).toEqual(['Barbara', 'Grace']);
    expect((await h.call(viewer, 'GET', `/api/v1/profiles?group_id=${group.id}&search=r`)).json<PageBody>().total).toBe(2);
    expect((await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[3]] })).statusCode).toBe(409);
    expect((await h.call(editor, 'DELETE', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0]] })).statusCode).toBe(409);

    const patched = await h.call(editor, 'PATCH', `/api/v1/groups/${group.id}`, { name: 'Has an e', filter: { search: 'e' } });
    expect(patched.statusCode, patched.body).toBe(200);
    // Grace, Edsger.
    expect(patched.json<GroupBody>()).toMatchObject({ name: 'Has an e', filter: { search: 'e' }, member_count: 2 });
  });

  it('lists groups newest first, by kind and a page at a time', async () => {
    const all = (await h.call(viewer, 'GET', '/api/v1/groups?per_page=2')).json<{ data: GroupBody[]; total: number; page: number; per_page: number }>();
    expect(all.per_page).toBe(2);
    expect(all.data).toHaveLength(2);
    expect(all.data[0]!.id).toBeGreaterThan(all.data[1]!.id);
    const page2 = (await h.call(viewer, 'GET', '/api/v1/groups?per_page=2&page=2')).json<{ data: GroupBody[] }>();
    expect(page2.data[0]!.id).toBeLessThan(all.data[1]!.id);
    const filtered = (await h.call(viewer, 'GET', '/api/v1/groups?kind=filtered&per_page=100')).json<{ data: GroupBody[]; total: number }>();
    expect(filtered.data.every((g) => g.kind === 'filtered')).toBe(true);
    expect(filtered.total).toBe(filtered.data.length);
    const uploaded = (await h.call(viewer, 'GET', '/api/v1/groups?kind=uploaded&per_page=100')).json<{ total: number }>();
    expect(uploaded.total + filtered.total).toBe(all.total);
  });

  it('renames (409 for a taken name), refuses a filter for an uploaded group, deletes (204) without deleting profiles', async () => {
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'To delete', kind: 'uploaded' })).json<GroupBody>();
    await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[4]] });
    expect((await h.call(editor, 'PATCH', `/api/v1/groups/${group.id}`, { name: 'MEMBERS' })).statusCode).toBe(409);
    expect((await h.call(editor, 'PATCH', `/api/v1/groups/${group.id}`, { filter: { search: 'a' } })).statusCode).toBe(422);
    const renamed = await h.call(editor, 'PATCH', `/api/v1/groups/${group.id}`, { name: 'Renamed' });
    expect(renamed.json<GroupBody>().name).toBe('Renamed');
    const del = await h.call(editor, 'DELETE', `/api/v1/groups/${group.id}`);
    expect(del.statusCode).toBe(204);
    expect((await h.call(viewer, 'GET', `/api/v1/groups/${group.id}`)).statusCode).toBe(404);
    expect((await h.call(viewer, 'GET', `/api/v1/profiles?group_id=${group.id}`)).statusCode).toBe(404);
    expect((await h.call(viewer, 'GET', `/api/v1/profiles/${ids[4]}`)).statusCode).toBe(200);
    const rows = await h.database.db.selectFrom('group_members').select('profile_id').where('company_id', '=', A.companyId).where('group_id', '=', group.id).execute();
    expect(rows).toEqual([]);
  });

  it('a deleted profile leaves its groups', async () => {
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'Leaving', kind: 'uploaded' })).json<GroupBody>();
    const id = await profile(A.apiKey, '(202) 555-0177', 'Temporary');
    await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [id, ids[1]] });
    expect((await h.call(A.apiKey, 'DELETE', `/api/v1/profiles/${id}`)).statusCode).toBe(204);
    expect((await h.call(viewer, 'GET', `/api/v1/groups/${group.id}`)).json<GroupBody>().member_count).toBe(1);
  });

  it('viewers read but do not change groups', async () => {
    expect((await h.call(viewer, 'POST', '/api/v1/groups', { name: 'Viewer', kind: 'uploaded' })).statusCode).toBe(403);
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'Viewer test', kind: 'uploaded' })).json<GroupBody>();
    expect((await h.call(viewer, 'PATCH', `/api/v1/groups/${group.id}`, { name: 'x' })).statusCode).toBe(403);
    expect((await h.call(viewer, 'DELETE', `/api/v1/groups/${group.id}`)).statusCode).toBe(403);
    expect((await h.call(viewer, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0]] })).statusCode).toBe(403);
    expect((await h.call(viewer, 'DELETE', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0]] })).statusCode).toBe(403);
    expect((await h.call(viewer, 'GET', `/api/v1/groups/${group.id}/members`)).statusCode).toBe(200);
  });

  it('another company can neither see nor touch a group (404 on every endpoint), nor add its own profiles to it', async () => {
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'Private', kind: 'uploaded' })).json<GroupBody>();
    await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0]] });
    const bProfile = (await h.call(B.apiKey, 'GET', '/api/v1/profiles')).json<PageBody>().data[0]!.id;
    const calls: Array<[Parameters<ExportsHarness['call']>[1], string, unknown?]> = [
      ['GET', `/api/v1/groups/${group.id}`],
      ['PATCH', `/api/v1/groups/${group.id}`, { name: 'Stolen' }],
      ['DELETE', `/api/v1/groups/${group.id}`],
      ['GET', `/api/v1/groups/${group.id}/members`],
      ['POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [bProfile] }],
      ['DELETE', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0]] }],
      ['GET', `/api/v1/profiles?group_id=${group.id}`],
    ];
    for (const [method, url, body] of calls) expect((await h.call(B.apiKey, method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    expect((await h.call(B.apiKey, 'GET', '/api/v1/groups?per_page=250')).json<{ total: number }>().total).toBe(0);
    // A's own profiles cannot be put into B's group either, nor B's into A's.
    const bGroup = (await h.call(B.apiKey, 'POST', '/api/v1/groups', { name: 'Private', kind: 'uploaded' })).json<GroupBody>();
    expect((await h.call(B.apiKey, 'POST', `/api/v1/groups/${bGroup.id}/members`, { profile_ids: [ids[0]] })).statusCode).toBe(422);
    expect((await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [bProfile] })).statusCode).toBe(422);
    const after = (await h.call(editor, 'GET', `/api/v1/groups/${group.id}`)).json<GroupBody>();
    expect(after).toMatchObject({ name: 'Private', member_count: 1 });
  });

  it('audits creating, renaming, member changes and deleting', async () => {
    const group = (await h.call(editor, 'POST', '/api/v1/groups', { name: 'Audited', kind: 'uploaded' })).json<GroupBody>();
    await h.call(editor, 'PATCH', `/api/v1/groups/${group.id}`, { name: 'Audited 2' });
    await h.call(editor, 'POST', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[0], ids[1]] });
    await h.call(editor, 'DELETE', `/api/v1/groups/${group.id}/members`, { profile_ids: [ids[1]] });
    await h.call(editor, 'DELETE', `/api/v1/groups/${group.id}`);
    const entries = (await audit(A.apiKey, 'group')).filter((e) => e.entity_id === String(group.id)).reverse();
    expect(entries.map((e) => e.action)).toEqual(['group.created', 'group.updated', 'group.members_added', 'group.members_removed', 'group.deleted']);
    expect(entries[1]!.changes.name).toEqual({ before: 'Audited', after: 'Audited 2' });
    expect(entries[2]!.changes.members_added).toEqual({ before: null, after: 2 });
    expect(entries[4]!.changes.member_count).toEqual({ before: 1, after: 0 });
  });
});
