import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createCompany } from '../../src/features/accounts/accounts.service.js';
import { demoProfiles, loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { exportJobHandlers } from '../../src/features/exports/exports.jobs.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { freshDatabase } from '../db.js';
import { ensureWebBuild, openBrowserPage } from './harness.js';

/**
 * Save as CSV and Reports › Exports (SPEC §6) in a real browser against a real server with a job worker: an organiser
 * searches, filters and sorts, saves the table as CSV, follows the export to Done (leaving the page meanwhile), and
 * downloads a file that holds exactly the profiles the table showed. Expected rows come from the demo generator.
 */

const PROFILE_COUNT = 300;
const SEED = 42;
const POLL = { timeout: 15_000, interval: 100 };

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function expectedProfiles() {
  return [...demoProfiles({ seed: SEED, count: PROFILE_COUNT })].map(({ input, origin }, index) => ({
    index,
    digits: parsePhoneNumberFromString(input.phone_number!, 'US')!.number.slice(1),
    text: [input.first_name, input.last_name, input.email].filter(Boolean).map((t) => fold(t!)),
    lastName: input.last_name ?? '',
    firstSeen: origin.firstSeenAt!,
    sourceType: origin.sourceType,
  }));
}

describe('Save as CSV and the Exports page in the browser', () => {
  let app: App;
  let worker: JobWorker;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let dataDir: string;
  let adminEmail: string;
  const adminPassword = 'correct horse battery staple';
  // The worker pauses after its first chunk until the test has seen the export running.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    ensureWebBuild();
    dataDir = await mkdtemp(join(tmpdir(), 'roster-e2e-exports-'));
    const database = await freshDatabase('sqlite');
    const config = loadConfig({ ROSTER_DATABASE_URL: 'sqlite::memory:', ROSTER_LOG_LEVEL: 'silent', ROSTER_DATA_DIR: dataDir, ROSTER_DEACTIVATION_FEED: 'false' });
    adminEmail = `exporter-${process.pid}@example.org`;
    const { companyId } = await createCompany(database, { name: 'Metro Tenants Union', adminEmail, adminPassword });
    await loadDemoProfiles(database, companyId, PROFILE_COUNT, { seed: SEED });
    app = await buildApp(config, { database });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    worker = new JobWorker({
      database,
      pollMs: 50,
      handlers: exportJobHandlers({ database, settings: config, chunkRows: 5, afterChunk: async (_id, rows) => (rows === 5 ? gate : undefined) }),
    });
    worker.start();
    ({ browser, page } = await openBrowserPage());
  }, 120_000);

  afterAll(async () => {
    release?.();
    await browser?.close();
    await worker?.stop();
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const expected = expectedProfiles();
  const filtered = expected.filter((p) => ['Opted in', 'Uploaded group'].includes(p.sourceType));
  const matching = (needle: string) => filtered.filter((p) => p.text.some((t) => t.includes(needle)));
  // Three letters of a surname (three or more: the trigram index, which folds accents as fold() does), the ones that
  // match the most filtered profiles, so the file has many rows and the export several chunks.
  const candidates = [...new Set(expected.flatMap((p) => [...fold(p.lastName).matchAll(/(?=([a-z]{3}))/g)].map((m) => m[1]!)))].sort();
  const part = candidates.reduce((best, c) => (matching(c).length > matching(best).length ? c : best), candidates[0]!);
  const wanted = matching(part).sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.index - b.index);

  it('saves the searched, filtered, re-sorted table as CSV and follows the export on Reports › Exports', async () => {
    expect(wanted.length).toBeGreaterThan(10);
    await page.goto(`${baseUrl}/profiles`);
    await page.getByRole('textbox', { name: 'Email' }).fill(adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();

    await page.getByRole('textbox', { name: 'Search profiles' }).fill(part);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const pane = page.getByRole('dialog', { name: 'Filters' });
    await pane.getByRole('combobox', { name: 'First seen type' }).click();
    await page.getByRole('option', { name: 'Opted in', exact: true }).click();
    await page.getByRole('option', { name: 'Uploaded group', exact: true }).click();
    await page.keyboard.press('Escape');
    await pane.getByRole('button', { name: 'APPLY' }).click();
    await page.getByRole('button', { name: 'Descending' }).click();
    // The URL changes at once but the router renders the new order in a transition; the total is the same in both
    // orders, so wait for the control itself to show the order the page now has before saving it.
    await page.getByRole('button', { name: 'Ascending' }).waitFor();
    await expect.poll(async () => page.getByTestId('profile-total').textContent(), POLL).toBe(`${wanted.length} profiles`);
    expect(new URL(page.url()).searchParams.get('order')).toBe('asc');

    await page.getByRole('button', { name: 'Save as CSV' }).click();
    await page.getByRole('heading', { name: 'Exports' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/reports/exports');
    const row = page.locator('table[aria-label="Exports"] tbody tr').first();
    await expect.poll(() => row.getByTestId('export-status').textContent(), POLL).toBe('Running');
    expect(await row.innerText()).toContain(`search “${part}”, first seen Opted in, Uploaded group, oldest first`);
    expect(await row.innerText()).toContain(adminEmail);
    await expect.poll(() => row.getByTestId('export-rows').textContent(), POLL).toBe(`0 of ${wanted.length}`);
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
    expect(await row.locator('a[download]').count()).toBe(0);

    // Leave while it runs, let it finish, come back: the page picks it up from the server.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
    release();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('heading', { name: 'Exports' }).waitFor();
    await expect.poll(() => row.getByTestId('export-status').textContent(), POLL).toBe('Done');
    expect(await row.getByTestId('export-rows').textContent()).toBe(String(wanted.length));
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('downloads a file holding exactly the filtered profiles, in the table’s order', async () => {
    const link = page.locator('table[aria-label="Exports"] tbody tr').first().locator('a[download]');
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/exports\/\d+\/download$/);
    // The browser's own cookies: the session that clicked.
    const response = await page.context().request.get(`${baseUrl}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-disposition']).toMatch(/^attachment; filename="roster-profiles-\d+-\d{4}-\d{2}-\d{2}\.csv"$/);
    const records = parse(await response.text()) as string[][];
    expect(records[0]!.slice(0, 3)).toEqual(['id', 'phone_number', 'email']);
    expect(records[0]!.slice(-7)).toEqual(['Age', 'Birthday', 'Gender', 'Volunteer hours', 'Union local', 'Best time to call', 'Member']);
    expect(records.slice(1).map((r) => r[1])).toEqual(wanted.map((p) => p.digits));
    expect(records.slice(1).every((r) => ['Opted in', 'Uploaded group'].includes(r[26]!))).toBe(true);
  });
});
