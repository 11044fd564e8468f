import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { AuthContext } from '../../src/features/accounts/auth-context.js';
import { createCompany } from '../../src/features/accounts/accounts.service.js';
import { createCustomField } from '../../src/features/custom-fields/custom-fields.service.js';
import { upsertProfile } from '../../src/features/profiles/profiles.service.js';
import { uploadJobHandlers } from '../../src/features/uploads/uploads.jobs.js';
import type { JobHandlers } from '../../src/jobs/handlers.js';
import { type JobContext, JobWorker } from '../../src/jobs/worker.js';
import { freshDatabase } from '../db.js';
import { ensureWebBuild, openBrowserPage, logIn } from './harness.js';

/**
 * Groups and CSV upload (SPEC §7) in a real browser against a real server and job worker: an organiser uploads a file
 * with good and bad rows, changes the proposed mapping, follows the job to Done, reads the counts, downloads the
 * rejected rows, opens the group, finds the new profiles under First seen type "Uploaded group", saves that table as a
 * filtered group, and manages groups. Expected rows are written here, beside the file, not read from the API.
 */

const POLL = { timeout: 15_000, interval: 100 };
const GROUP = 'Spring canvass';

// Already in Roster before the upload: the file changes her last name (an update), never her first-seen data.
const EXISTING = { phone: '(617) 555-0144', first: 'Rosa', last: 'Parks' };

const FILE = [
  'Mobile,First Name,Last Name,Email,Local,Shirt size',
  '(202) 555-0101,Ada,Lovelace,ada@example.org,Local 12,M',
  '202-555-0102,Grace,Brewster,grace@example.org,Local 7,L',
  'not a number,Bad,Row,bad@example.org,Local 1,S',
  '+1 202 555 0103,Alan,Turing,alan@example.org,Local 12,XL',
  '12,Too,Short,,,',
  '617.555.0144,Rosa,Parks-McCauley,,Local 9,M',
  // The same number again: this later row is the one used, the earlier one is reported.
  '(202) 555-0102,Grace,Hopper,grace@example.org,Local 7,L',
].join('\r\n');
const CREATED = ['(202) 555-0101', '(202) 555-0102', '(202) 555-0103'];
const MEMBERS = [...CREATED, EXISTING.phone];

/** The phone numbers in the User column, top to bottom. */
const tablePhones = (page: Page) => page.locator('table[aria-label="Profiles"] tbody tr td:first-child a').allTextContents();
const shownTotal = (page: Page) => page.getByTestId('profile-total').textContent();
const sorted = (list: string[]) => [...list].sort();

/** Handlers whose job waits for `gate` after reporting progress the first time (the job's state is committed by then). */
function pausedAfterFirstProgress(handlers: JobHandlers, gate: Promise<void>): JobHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([kind, run]) => [
      kind,
      (ctx: JobContext) => {
        let paused = false;
        const reportProgress = async (done: number, total?: number) => {
          await ctx.reportProgress(done, total);
          if (!paused) {
            paused = true;
            await gate;
          }
        };
        return run(Object.assign(Object.create(ctx) as JobContext, { reportProgress }));
      },
    ]),
  );
}

describe('Groups and CSV upload in the browser', () => {
  let app: App;
  let worker: JobWorker | undefined;
  let startWorker: () => void;
  // The job pauses after its first progress report until the test has seen it running part way.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let dataDir: string;
  let adminEmail: string;
  const adminPassword = 'correct horse battery staple';

  beforeAll(async () => {
    ensureWebBuild();
    dataDir = await mkdtemp(join(tmpdir(), 'roster-e2e-groups-'));
    const database = await freshDatabase('sqlite');
    const config = loadConfig({ ROSTER_DATABASE_URL: 'sqlite::memory:', ROSTER_LOG_LEVEL: 'silent', ROSTER_DATA_DIR: dataDir, ROSTER_DEACTIVATION_FEED: 'false' });
    adminEmail = `uploader-${process.pid}@example.org`;
    const { companyId } = await createCompany(database, { name: 'Metro Tenants Union', adminEmail, adminPassword });
    const auth: AuthContext = { companyId, role: 'admin', via: 'api_key', actor: { type: 'system', id: null, label: 'test setup' } };
    await createCustomField(database, auth, { name: 'Union local', field_type: 'text' });
    await upsertProfile(database, auth, { phone_number: EXISTING.phone, first_name: EXISTING.first, last_name: EXISTING.last });
    app = await buildApp(config, { database });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    // The worker starts once the test has seen the upload queued, so the page is seen following it from the start.
    startWorker = () => {
      worker = new JobWorker({ database, pollMs: 50, handlers: pausedAfterFirstProgress(uploadJobHandlers({ database, settings: config }), gate) });
      worker.start();
    };
    ({ browser, page } = await openBrowserPage());
  }, 120_000);

  afterAll(async () => {
    release?.();
    await browser?.close();
    await worker?.stop();
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('previews the file, requires a phone column, and takes a changed mapping', async () => {
    await logIn(page, `${baseUrl}/uploads`, adminEmail, adminPassword);
    await page.getByRole('heading', { name: 'Upload a CSV' }).waitFor();

    // Not a CSV at all: the preview says why, and there is nothing to start.
    const garbage = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, ...Array.from({ length: 200 }, (_, i) => i % 7)]);
    await page.locator('input[type="file"]').setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: garbage });
    await page.getByRole('alert').filter({ hasText: 'This file cannot be uploaded' }).waitFor();
    expect(await page.getByRole('button', { name: 'Start upload' }).count()).toBe(0);

    await page.locator('input[type="file"]').setInputFiles({ name: 'spring-canvass.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
    const preview = page.getByRole('table', { name: 'Preview' });
    await preview.waitFor();
    expect(await page.getByTestId('preview-encoding').textContent()).toBe('UTF-8');
    expect(await page.getByTestId('preview-delimiter').textContent()).toBe('comma-separated');
    expect(await preview.locator('tbody tr').count()).toBe(7);
    expect(await preview.locator('tbody tr').nth(2).innerText()).toContain('not a number');
    // The group name starts as the file's name.
    const groupName = page.getByRole('textbox', { name: 'Group name' });
    expect(await groupName.inputValue()).toBe('spring-canvass');
    await groupName.fill(GROUP);

    // Proposed by the headers' names: Mobile is the phone, Local and Shirt size name no field.
    const fieldOf = (header: string) => page.getByRole('combobox', { name: `Field for column ${header}`, exact: true });
    expect(await fieldOf('Mobile').inputValue()).toBe('Phone number');
    expect(await fieldOf('Email').inputValue()).toBe('Email');
    expect(await fieldOf('Local').inputValue()).toBe('Skip this column');
    const start = page.getByRole('button', { name: 'Start upload' });
    expect(await start.isEnabled()).toBe(true);

    // Without a phone column there is nothing to upload.
    await fieldOf('Mobile').click();
    await page.getByRole('option', { name: 'Skip this column' }).click();
    await page.getByText(/Map one column to Phone number/).waitFor();
    expect(await start.isEnabled()).toBe(false);
    await fieldOf('Mobile').click();
    await page.getByRole('option', { name: 'Phone number', exact: true }).click();

    // The organiser's changes: Local into the Union local custom field, Email left out.
    await fieldOf('Local').click();
    await page.getByRole('option', { name: /Union local/ }).click();
    await fieldOf('Email').click();
    await page.getByRole('option', { name: 'Skip this column' }).click();
    expect(await page.getByText(/Map one column to/).count()).toBe(0);
    expect(await start.isEnabled()).toBe(true);
    await start.click();

    await page.waitForURL(/\/uploads\/\d+$/);
    await page.getByRole('heading', { name: 'spring-canvass.csv' }).waitFor();
    expect(await page.getByTestId('upload-status').textContent()).toBe('Queued');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
  });

  it('follows the job to Done and shows where every row ended', async () => {
    startWorker();
    await expect.poll(() => page.getByTestId('upload-status').textContent(), POLL).toBe('Running');
    // Part way: the file read and checked, no profile written yet.
    await expect.poll(() => page.getByTestId('upload-phase').textContent(), POLL).toMatch(/^Reading and checking the file: 7 rows/);
    const midway = Number(await page.getByRole('progressbar').getAttribute('aria-valuenow'));
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(100);
    release();
    await expect.poll(() => page.getByTestId('upload-status').textContent(), POLL).toBe('Done');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const count = async (key: string) => page.getByTestId(`count-${key}`).getByTestId('count-value').textContent();
    expect(await count('rows')).toBe('7');
    expect(await count('created')).toBe('3');
    expect(await count('updated')).toBe('1');
    expect(await count('unchanged')).toBe('0');
    expect(await count('rejected')).toBe('3');
    expect(await page.getByTestId('duplicates-note').textContent()).toMatch(/^1 rejected row repeated a number/);
    expect(await page.getByTestId('upload-mapping').innerText()).toMatch(/Email → skipped/);
  });

  it('downloads the rejected rows with their row number, column, value and reason', async () => {
    const href = await page.getByRole('link', { name: 'Download rejected rows' }).getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/uploads\/\d+\/rejected$/);
    // The browser's own cookies: the session that uploaded.
    const response = await page.context().request.get(`${baseUrl}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = parse(await response.text()) as string[][];
    expect(header).toEqual(['row_number', 'column', 'value', 'reason']);
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['3', 'Mobile', '202-555-0102'],
      ['4', 'Mobile', 'not a number'],
      ['6', 'Mobile', '12'],
    ]);
    expect(rows[0]![3]).toMatch(/row 8/);
    for (const row of rows.slice(1)) expect(row[3]).toMatch(/phone/i);
  });

  it('opens the group: its members are the created and updated profiles', async () => {
    await page.getByRole('link', { name: `Open the group “${GROUP}”` }).click();
    await page.getByRole('heading', { name: GROUP }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/groups\/\d+$/);
    await expect.poll(() => shownTotal(page), POLL).toBe('4 profiles');
    expect(sorted(await tablePhones(page))).toEqual(sorted(MEMBERS));
    // The existing profile was updated, its first-seen data kept.
    const rosa = page.locator('table[aria-label="Profiles"] tbody tr', { hasText: EXISTING.phone });
    expect(await rosa.innerText()).toContain('Rosa Parks-McCauley');
    expect(await rosa.innerText()).not.toContain('Uploaded group');

    // The mapping as changed: Union local filled, Email not written.
    const answer = await page.context().request.get(`${baseUrl}/api/v1/profiles?search=Lovelace`);
    const [ada] = ((await answer.json()) as { data: Array<{ email: string | null; source_type: string; source_name: string; custom_fields: Record<string, unknown> }> }).data;
    expect(ada).toMatchObject({ email: null, source_type: 'Uploaded group', source_name: GROUP, custom_fields: { 'Union local': 'Local 12' } });
  });

  it('finds the new profiles in the Profiles table under First seen type “Uploaded group”', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
    await expect.poll(() => shownTotal(page), POLL).toBe('4 profiles');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const pane = page.getByRole('dialog', { name: 'Filters' });
    await pane.getByRole('combobox', { name: 'First seen type' }).click();
    await page.getByRole('option', { name: 'Uploaded group', exact: true }).click();
    await page.keyboard.press('Escape');
    await pane.getByRole('button', { name: 'APPLY' }).click();
    await expect.poll(() => shownTotal(page), POLL).toBe('3 profiles');
    expect(sorted(await tablePhones(page))).toEqual(sorted(CREATED));
    const sourceNames = await page.locator('table[aria-label="Profiles"] tbody tr td:nth-child(4)').allInnerTexts();
    expect(sourceNames.every((cell) => cell.includes('Uploaded group') && cell.includes(GROUP))).toBe(true);
  });

  it('saves the filtered table as a group whose page shows the same profiles', async () => {
    await page.getByRole('button', { name: 'Save as group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as group' });
    expect(await dialog.getByRole('list', { name: 'Saved filter' }).innerText()).toContain('First seen type: Uploaded group');
    await dialog.getByRole('textbox', { name: 'Group name' }).fill('Uploaded people');
    await dialog.getByRole('button', { name: 'Save group' }).click();
    await page.getByRole('heading', { name: 'Uploaded people' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/groups\/\d+$/);
    expect(await page.getByTestId('saved-filter').innerText()).toContain('First seen type: Uploaded group');
    await expect.poll(() => shownTotal(page), POLL).toBe('3 profiles');
    expect(sorted(await tablePhones(page))).toEqual(sorted(CREATED));

    // The saved filter changes in the same Filters pane's terms; the members follow.
    await page.getByRole('button', { name: 'Edit filter' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the saved filter' });
    await edit.getByRole('textbox', { name: 'Search' }).fill('lovelace');
    await edit.getByRole('button', { name: 'Save filter' }).click();
    await expect.poll(() => page.getByTestId('saved-filter').innerText(), POLL).toContain('Search: “lovelace”');
    await expect.poll(() => shownTotal(page), POLL).toBe('1 profile');
    expect(await tablePhones(page)).toEqual(['(202) 555-0101']);
  });

  it('lists both groups, removes a member of the uploaded one, renames and deletes', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Groups', exact: true }).waitFor();
    const row = (name: string) => page.locator('table[aria-label="Groups"] tbody tr', { hasText: name });
    await expect.poll(() => row(GROUP).innerText(), POLL).toMatch(/Uploaded\s+4/);
    expect(await row('Uploaded people').innerText()).toMatch(/Filtered\s+1/);

    await row(GROUP).getByRole('link', { name: GROUP }).click();
    await page.getByRole('heading', { name: GROUP }).waitFor();
    await expect.poll(() => shownTotal(page), POLL).toBe('4 profiles');
    await page.getByRole('button', { name: 'Remove members' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove members' });
    await dialog.getByRole('checkbox', { name: /\(202\) 555-0103/ }).check();
    await dialog.getByRole('button', { name: 'Remove 1 member' }).click();
    await expect.poll(() => shownTotal(page), POLL).toBe('3 profiles');
    expect(sorted(await tablePhones(page))).toEqual(sorted(MEMBERS.filter((p) => p !== '(202) 555-0103')));
    // The profile itself stays, still first seen in the upload.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await expect.poll(() => row(GROUP).innerText(), POLL).toMatch(/Uploaded\s+3/);
    expect(await row('Uploaded people').innerText()).toMatch(/Filtered\s+1/);

    // Back in from the Profiles table: Save as group adds the page shown to an uploaded group.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('textbox', { name: 'Search profiles' }).fill('turing');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => shownTotal(page), POLL).toBe('1 profile');
    await page.getByRole('button', { name: 'Save as group' }).click();
    const save = page.getByRole('dialog', { name: 'Save as group' });
    await save.getByText('Add this page to an uploaded group').click();
    await save.getByRole('combobox', { name: 'Uploaded group' }).click();
    await page.getByRole('option', { name: GROUP, exact: true }).click();
    await save.getByRole('button', { name: 'Add 1 profile' }).click();
    expect(await save.getByTestId('members-added').textContent()).toBe('1 profile added.');
    await save.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await expect.poll(() => row(GROUP).innerText(), POLL).toMatch(/Uploaded\s+4/);

    await row('Uploaded people').getByRole('button', { name: 'Rename Uploaded people' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename group' });
    await rename.getByRole('textbox', { name: 'Group name' }).fill(GROUP.toUpperCase());
    await rename.getByRole('button', { name: 'Save name' }).click();
    await rename.getByText(/taken|already|exists/i).waitFor();
    await rename.getByRole('textbox', { name: 'Group name' }).fill('First seen in an upload');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await row('First seen in an upload').waitFor();

    await row('First seen in an upload').getByRole('button', { name: 'Delete First seen in an upload' }).click();
    await page.getByRole('dialog', { name: /Delete the group/ }).getByRole('button', { name: 'Delete group' }).click();
    await expect.poll(() => page.locator('table[aria-label="Groups"] tbody tr').count(), POLL).toBe(1);
    expect(await page.getByTestId('group-total').textContent()).toBe('1 group');
 
    // A filtered group made from the Groups page: a search, and filters from the Profiles table's Filters pane.
    await page.getByRole('button', { name: 'New group' }).click();
    const create = page.getByRole('dialog', { name: 'New group' });
    await create.getByRole('textbox', { name: 'Group name' }).fill('Hoppers');
    await create.getByRole('textbox', { name: 'Search' }).fill('hopper');
    await create.getByRole('button', { name: 'Choose filters' }).click();
    const pane = page.getByRole('dialog', { name: 'Filters' });
    await pane.getByRole('combobox', { name: 'First seen type' }).click();
    await page.getByRole('option', { name: 'Uploaded group', exact: true }).click();
    await page.keyboard.press('Escape');
    await pane.getByRole('button', { name: 'APPLY' }).click();
    expect(await create.getByRole('list', { name: 'Saved filter' }).innerText()).toMatch(/Search: “hopper”\s+First seen type: Uploaded group/);
    await create.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'Hoppers' }).waitFor();
    await expect.poll(() => shownTotal(page), POLL).toBe('1 profile');
    expect(await tablePhones(page)).toEqual(['(202) 555-0102']);
  });
});
