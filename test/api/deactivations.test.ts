import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../db.js';
import { runRoster as roster } from '../roster-cli.js';
import { type ExportsHarness, exportsHarness } from '../exports.js';
import { startTwilioStandIn, type TwilioStandIn } from '../stand-ins/twilio.js';
import { applyDeactivationDay, applyRecentDeactivations, dayBefore } from '../../src/features/messaging/deactivations.js';
import { TwilioGateway } from '../../src/features/messaging/gateways/twilio.js';
import type { SmsGateway } from '../../src/features/messaging/gateways/gateway.js';

/**
 * The carriers' deactivation feed (SPEC §4): each day's numbers, read from Twilio's Deactivations API (the stand-in),
 * make every company's profiles on them Phone was Deactivated, once per day, except profiles first seen after that day.
 */
describeEachEngine('the deactivation feed', (engine) => {
  let h: ExportsHarness;
  let standIn: TwilioStandIn;
  let gateway: TwilioGateway;
  let a: { companyId: number; apiKey: string };
  let b: { companyId: number; apiKey: string };
  const DAY = '2026-11-20';
  const ids: Record<string, number> = {};

  const twilio = (messagingBaseUrl: string) => new TwilioGateway({ accountSid: standIn.accountSid, authToken: standIn.authToken, from: '+12025550100', apiBaseUrl: standIn.baseUrl, lookupBaseUrl: standIn.baseUrl, messagingBaseUrl, timeoutMs: 2_000 });
  const profile = async (key: string, id: number) => (await h.call(key, 'GET', `/api/v1/profiles/${id}`)).json<{ status: string; opted_out_source: string | null; description: string | null }>();
  const deactivationAudits = async (key: string) =>
    (await h.call(key, 'GET', '/api/v1/audit-log?entity_type=profile')).json<{ data: Array<{ action: string; actor: { label: string } }> }>().data.filter((e) => e.actor.label.includes('deactivation feed'));

  beforeAll(async () => {
    h = await exportsHarness(engine);
    standIn = await startTwilioStandIn();
    gateway = twilio(standIn.baseUrl);
    a = await h.company('Feed A');
    b = await h.company('Feed B');
    const create = async (key: string, phone: string) => (await h.call(key, 'POST', '/api/v1/profiles', { phone_number: phone })).json<{ id: number }>().id;
    ids.listed = await create(a.apiKey, '+13125551001');
    ids.unlisted = await create(a.apiKey, '+13125551002');
    ids.newOwner = await create(a.apiKey, '+13125551003');
    ids.otherCompany = await create(b.apiKey, '+13125551001');
    // Profiles are first seen now; the feed's day must be after that for them, except the number's new owner.
    await h.database.db.updateTable('profiles').set({ created_at: '2026-11-01T12:00:00.000Z' }).where('id', 'in', [ids.listed!, ids.unlisted!, ids.otherCompany!]).execute();
    await h.database.db.updateTable('profiles').set({ created_at: '2026-11-21T08:00:00.000Z' }).where('id', '=', ids.newOwner!).execute();
    standIn.setDeactivations(DAY, ['+13125551001', '+13125551003', '+19895550000']);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await standIn?.close();
  });

  it('refuses a day that is not a date, naming it', async () => {
    await expect(applyDeactivationDay(h.database, gateway, '2026-02-30')).rejects.toMatchObject({ code: 'invalid_input', details: { fields: [{ field: 'day', value: '2026-02-30' }] } });
  });

  it('gives the day back when the feed cannot be read, so the next run applies it', async () => {
    await expect(applyDeactivationDay(h.database, twilio('http://127.0.0.1:9'), DAY)).rejects.toThrow();
    expect(await h.database.db.selectFrom('deactivation_days').selectAll().where('day', '=', DAY).execute()).toEqual([]);
    expect(await profile(a.apiKey, ids.listed!)).toMatchObject({ opted_out_source: null });
  });

  it('makes every company\'s profiles on a listed number Phone was Deactivated, and no one else', async () => {
    expect(await applyDeactivationDay(h.database, gateway, DAY)).toEqual({ day: DAY, outcome: 'applied', numbers: 3, profilesOptedOut: 2 });
    expect(await profile(a.apiKey, ids.listed!)).toMatchObject({ status: 'Opted Out', opted_out_source: 'Phone was Deactivated', description: 'Undeliverable - Phone was Deactivated' });
    expect(await profile(b.apiKey, ids.otherCompany!)).toMatchObject({ opted_out_source: 'Phone was Deactivated' });
    expect(await profile(a.apiKey, ids.unlisted!)).toMatchObject({ opted_out_source: null });
    // First seen after the day: the number was given to someone new, who is not deactivated.
    expect(await profile(a.apiKey, ids.newOwner!)).toMatchObject({ opted_out_source: null });
    expect((await deactivationAudits(a.apiKey)).map((e) => e.action)).toEqual(['profile.opted_out']);
    expect((await deactivationAudits(b.apiKey)).map((e) => e.action)).toEqual(['profile.opted_out']);
  });

  it('applies a day once: again, it answers what was done and changes nothing', async () => {
    expect(await applyDeactivationDay(h.database, gateway, DAY)).toEqual({ day: DAY, outcome: 'already_done', numbers: 3, profilesOptedOut: 2 });
    expect(await deactivationAudits(a.apiKey)).toHaveLength(1);
  });

  it('reads the last three finished days; a day whose file fails does not keep the others from being applied', async () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const broken = dayBefore(now, 2);
    standIn.setDeactivations(dayBefore(now, 1), ['+13125551002']);
    const flaky: SmsGateway = {
      name: gateway.name,
      send: (m) => gateway.send(m),
      deactivatedNumbers: (day) => (day === broken ? Promise.reject(new Error('the file is not published yet')) : gateway.deactivatedNumbers(day)),
    };
    const days = await applyRecentDeactivations(h.database, flaky, now);
    expect(days.map((d) => [d.day, d.outcome])).toEqual([['2026-11-22', 'applied'], [broken, 'failed'], ['2026-11-24', 'applied']]);
    expect(days[1]!.error).toBe('the file is not published yet');
    expect(await profile(a.apiKey, ids.unlisted!)).toMatchObject({ opted_out_source: 'Phone was Deactivated' });
    expect((await applyRecentDeactivations(h.database, gateway, now)).map((d) => d.outcome)).toEqual(['already_done', 'applied', 'already_done']);
  });

  it('runs from the command line: roster deactivations --day', async () => {
    const day = '2026-11-10';
    const phone = '+13125551004';
    const id = (await h.call(a.apiKey, 'POST', '/api/v1/profiles', { phone_number: phone })).json<{ id: number }>().id;
    await h.database.db.updateTable('profiles').set({ created_at: '2026-11-01T12:00:00.000Z' }).where('id', '=', id).execute();
    standIn.setDeactivations(day, [phone]);
    const env = {
      ROSTER_DATABASE_URL: h.url,
      ROSTER_DATA_DIR: join(h.dir, 'data'),
      ROSTER_SMS_GATEWAY: 'twilio',
      ROSTER_PUBLIC_URL: 'http://127.0.0.1:1',
      ROSTER_TWILIO_ACCOUNT_SID: standIn.accountSid,
      ROSTER_TWILIO_AUTH_TOKEN: standIn.authToken,
      ROSTER_TWILIO_FROM: '+12025550100',
      ROSTER_TWILIO_MESSAGING_BASE_URL: standIn.baseUrl,
    };
    const run = await roster(['deactivations', '--day', day], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ gateway: 'twilio', days: [{ day, outcome: 'applied', numbers: 1, profilesOptedOut: 1 }] });
    expect(await profile(a.apiKey, id)).toMatchObject({ opted_out_source: 'Phone was Deactivated' });
    const bad = await roster(['deactivations', '--day', '10/11/2026'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('day');
    expect(bad.stderr).toContain('10/11/2026');
  });
});
