import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { openBrowserPage, type RunningRoster, startRoster } from './harness.js';

/**
 * Campaigns, opt-in paths, subscriptions from the profile page, staff opt-outs, the blacklist and Manual Opt-Out
 * (SPEC §3) in a real browser against a real server. Demo profile i has the number (202) 555-01ii.
 */

const POLL = { timeout: 10_000, interval: 100 };
const phoneOf = (i: number) => `(202) 555-01${String(i).padStart(2, '0')}`;

describe('Campaigns and opt-outs in the browser', () => {
  let roster: RunningRoster;
  let browser: Browser;
  let page: Page;
  const profileIds: number[] = [];

  beforeAll(async () => {
    roster = await startRoster();
    await loadDemoProfiles(roster.database, roster.companyId, 4, { seed: 42 });
    const rows = await roster.database.db.selectFrom('profiles').select(['id', 'phone_number']).where('company_id', '=', roster.companyId).execute();
    for (let i = 0; i < 4; i++) profileIds.push(rows.find((r) => r.phone_number === `+1202555010${i}`)!.id);
    ({ browser, page } = await openBrowserPage());
    await page.goto(`${roster.baseUrl}/campaigns`);
    await page.getByRole('textbox', { name: 'Email' }).fill(roster.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(roster.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await roster?.app.close();
  });

  const showCampaigns = (name: string) => page.locator('[aria-label="Show campaigns"]').getByText(name, { exact: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  it('creates a campaign and opt-in paths, with bad and taken keywords refused beside the field', async () => {
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByText('No campaigns yet.').waitFor();
    await page.getByRole('button', { name: 'New campaign' }).click();
    const form = page.getByRole('form', { name: 'New campaign' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Rent Strike 2026');
    await form.getByRole('textbox', { name: 'Description' }).fill('Tenants of Maple Court');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'Rent Strike 2026' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/campaigns\/\d+$/);
    expect(await page.getByTestId('campaign-status').textContent()).toBe('Active');

    await page.getByRole('button', { name: 'Add opt-in path' }).click();
    let pathForm = page.getByRole('form', { name: 'New opt-in path' });
    await pathForm.getByRole('textbox', { name: 'Name' }).fill('Join line');
    const keywords = pathForm.getByRole('combobox', { name: 'Keywords' });
    await keywords.fill('join');
    await keywords.press('Enter');
    await keywords.fill('Strike');
    await keywords.press('Enter');
    await pathForm.getByRole('textbox', { name: 'Welcome message' }).fill('Welcome to the rent strike!');
    await pathForm.getByRole('button', { name: 'Add opt-in path' }).click();
    const paths = page.getByRole('table', { name: 'Opt-in paths' });
    await expect.poll(() => paths.innerText().catch(() => ''), POLL).toContain('Join line');
    const pathRow = await paths.locator('tbody tr').first().innerText();
    expect(pathRow).toContain('JOIN');
    expect(pathRow).toContain('STRIKE');
    expect(pathRow).toContain('Welcome to the rent strike!');

    // A STOP word is refused by name; a keyword another path holds is refused naming that path.
    await page.getByRole('button', { name: 'Add opt-in path' }).click();
    pathForm = page.getByRole('form', { name: 'New opt-in path' });
    await pathForm.getByRole('textbox', { name: 'Name' }).fill('Second line');
    await pathForm.getByRole('combobox', { name: 'Keywords' }).fill('stop');
    await pathForm.getByRole('combobox', { name: 'Keywords' }).press('Enter');
    await pathForm.getByRole('button', { name: 'Add opt-in path' }).click();
    await pathForm.getByText('stop is a STOP, START or HELP word').waitFor();
    await pathForm.getByRole('combobox', { name: 'Keywords' }).press('Backspace');
    await pathForm.getByRole('combobox', { name: 'Keywords' }).fill('JOIN');
    await pathForm.getByRole('combobox', { name: 'Keywords' }).press('Enter');
    await pathForm.getByRole('button', { name: 'Add opt-in path' }).click();
    await pathForm.getByText('Keyword already in use: JOIN (opt-in path "Join line")').waitFor();
    await pathForm.getByRole('button', { name: 'Cancel' }).click();
    expect(await paths.locator('tbody tr').count()).toBe(1);
  });

  it('subscribes a profile from its page, says a second subscribe changes nothing, and lists the subscriber on the campaign', async () => {
    await page.goto(`${roster.baseUrl}/profiles/${profileIds[0]}`);
    await page.getByRole('heading', { name: phoneOf(0) }).waitFor();
    const section = page.getByRole('region', { name: 'Subscriptions' });
    await section.getByText('No subscriptions.').waitFor();
    await section.getByRole('combobox', { name: 'Subscribe to a campaign' }).click();
    await page.getByRole('option', { name: 'Rent Strike 2026' }).click();
    await section.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => section.getByTestId('subscribe-outcome').textContent(), POLL).toBe('Subscribed.');
    await expect.poll(() => section.getByTestId('subscription-status').allTextContents(), POLL).toEqual(['Active']);
    await page.getByText('Opted in', { exact: true }).first().waitFor();

    await section.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => section.getByTestId('subscribe-outcome').textContent(), POLL).toBe('Already subscribed to this campaign; nothing changed.');
    expect(await section.getByRole('table', { name: 'Subscriptions' }).locator('tbody tr').count()).toBe(1);

    await section.getByRole('link', { name: 'Rent Strike 2026' }).click();
    await page.getByRole('heading', { name: 'Rent Strike 2026' }).waitFor();
    const subscribers = page.getByRole('table', { name: 'Subscribers' });
    await expect.poll(() => subscribers.innerText().catch(() => ''), POLL).toContain(phoneOf(0));
    expect(await subscribers.innerText()).toContain('Added by staff');
    await expect.poll(() => page.getByTestId('count-active').textContent(), POLL).toBe('1');
  });

  it('opts a profile out from its page and in again (a staff opt-out staff may undo)', async () => {
    await page.goto(`${roster.baseUrl}/profiles/${profileIds[0]}`);
    await page.getByRole('heading', { name: phoneOf(0) }).waitFor();
    expect(await page.getByRole('button', { name: 'Opt in again' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Opt out' }).click();
    await page.getByRole('dialog', { name: 'Opt this person out?' }).getByRole('button', { name: 'Opt out' }).click();
    await page.getByText('Undeliverable - Opt-out from profile').first().waitFor();
    const section = page.getByRole('region', { name: 'Subscriptions' });
    await expect.poll(() => section.getByTestId('subscription-status').allTextContents(), POLL).toEqual(['Opted out']);
    expect(await page.getByRole('button', { name: 'Opt out', exact: true }).count()).toBe(0);

    await page.getByRole('button', { name: 'Opt in again' }).click();
    await page.getByRole('dialog', { name: 'Opt this person in again?' }).getByRole('button', { name: 'Opt in again' }).click();
    await expect.poll(() => page.getByText('Undeliverable - Opt-out from profile').count(), POLL).toBe(0);
    await expect.poll(() => section.getByTestId('subscription-status').allTextContents(), POLL).toEqual(['Active']);
  });

  it('removes a subscriber on the campaign page, then ends the campaign', async () => {
    await nav('Campaigns').click();
    await page.getByRole('link', { name: 'Rent Strike 2026' }).click();
    const subscribers = page.getByRole('table', { name: 'Subscribers' });
    await expect.poll(() => subscribers.innerText().catch(() => ''), POLL).toContain(phoneOf(0));
    await subscribers.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => subscribers.getByTestId('subscription-status').first().textContent(), POLL).toBe('Removed');
    await expect.poll(() => page.getByTestId('count-removed').textContent(), POLL).toBe('1');

    await page.getByRole('button', { name: 'End campaign' }).click();
    await page.getByRole('dialog', { name: 'End this campaign?' }).getByRole('button', { name: 'End campaign' }).click();
    await expect.poll(() => page.getByTestId('campaign-status').textContent(), POLL).toBe('Ended');
    expect(await page.getByRole('button', { name: 'Add opt-in path' }).count()).toBe(0);

    await nav('Campaigns').click();
    await showCampaigns('Active').click();
    await page.getByText('No active campaigns.').waitFor();
    await showCampaigns('Ended').click();
    await page.getByRole('link', { name: 'Rent Strike 2026' }).waitFor();
  });

  it('deletes a campaign that never had a subscriber', async () => {
    await showCampaigns('All').click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('form', { name: 'New campaign' }).getByRole('textbox', { name: 'Name' }).fill('Scratch');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'Scratch' }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this campaign?' }).getByRole('button', { name: 'Delete campaign' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('link', { name: 'Rent Strike 2026' }).waitFor();
    expect(await page.getByRole('link', { name: 'Scratch' }).count()).toBe(0);
  });

  it('blacklists a number with a note (its profile reads Blacklisted) and takes it off again', async () => {
    await nav('Opt-outs').click();
    await page.getByRole('heading', { name: 'Opt-outs' }).waitFor();
    const blacklist = page.getByRole('region', { name: 'Blacklist' });
    await blacklist.getByRole('textbox', { name: 'Phone number' }).fill('202.555.0101');
    await blacklist.getByRole('textbox', { name: 'Note' }).fill('Asked in person');
    await blacklist.getByRole('button', { name: 'Add to blacklist' }).click();
    await blacklist.getByText(`202.555.0101 is blacklisted; its profile is opted out as Blacklisted.`).waitFor();
    const table = blacklist.getByRole('table', { name: 'Blacklist' });
    await expect.poll(() => table.innerText(), POLL).toContain(phoneOf(1));
    expect(await table.innerText()).toContain('Asked in person');
    expect(await table.innerText()).toContain(roster.adminEmail);

    await page.goto(`${roster.baseUrl}/profiles/${profileIds[1]}`);
    await page.getByText('Undeliverable - Blacklisted').first().waitFor();
    // Only taking the number off the blacklist lifts this opt-out.
    expect(await page.getByRole('button', { name: 'Opt in again' }).count()).toBe(0);

    await page.goBack();
    await blacklist.getByRole('button', { name: `Remove ${phoneOf(1)}` }).click();
    await expect.poll(() => blacklist.getByTestId('blacklist-total').textContent(), POLL).toBe('0 numbers');
  });

  it('opts out the numbers of a CSV file (first column) and shows each number’s result', async () => {
    const manual = page.getByRole('region', { name: 'Manual Opt-Out' });
    const csv = `phone,name\n"${phoneOf(2)}",Ada\n+1 202 555 0177,Nobody\nnot a number,Oops\n`;
    await manual.locator('input[type="file"]').setInputFiles({ name: 'numbers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await manual.getByRole('button', { name: 'Opt out 3 numbers' }).click();
    const results = manual.getByRole('table', { name: 'Manual Opt-Out results' });
    await expect.poll(() => results.getByTestId('manual-opt-out-outcome').allTextContents(), POLL).toEqual(['Opted out', 'Recorded', 'Rejected']);
    const rows = await results.locator('tbody tr').allInnerTexts();
    expect(rows[0]).toContain(phoneOf(2));
    expect(rows[1]).toContain('+1 202 555 0177');
    expect(rows[2]).toContain('not a number');

    await page.goto(`${roster.baseUrl}/profiles/${profileIds[2]}`);
    await page.getByText('Undeliverable - Manual Opt-Out').first().waitFor();
    expect(await page.getByRole('button', { name: 'Opt in again' }).count()).toBe(1);
  });

  it('opts out numbers pasted in the box', async () => {
    await nav('Opt-outs').click();
    const manual = page.getByRole('region', { name: 'Manual Opt-Out' });
    await manual.getByRole('textbox', { name: 'Phone numbers' }).fill(`${phoneOf(3)}\n${phoneOf(2)}`);
    await manual.getByRole('button', { name: 'Opt out 2 numbers' }).click();
    const results = manual.getByRole('table', { name: 'Manual Opt-Out results' });
    await expect.poll(() => results.getByTestId('manual-opt-out-outcome').allTextContents(), POLL).toEqual(['Opted out', 'Already opted out']);
  });
});
