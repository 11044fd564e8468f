import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProfiles, loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { openBrowserPage, type RunningRoster, startRoster } from './harness.js';

/**
 * The Profiles screen (SPEC §5) in a real browser against a real server: what an organiser sees
 * and does. Expected rows come from the demo generator itself, not from the API under test.
 */

const PROFILE_COUNT = 300;
const SEED = 42;

interface ExpectedProfile {
  index: number;
  phone: string; // as the table shows it, e.g. (202) 555-0143
  digits: string; // E.164 without +
  firstName: string;
  lastName: string;
  email: string;
  firstSeen: string;
  sourceType: string;
  age: number | null;
}

function expectedProfiles(): ExpectedProfile[] {
  return [...demoProfiles({ seed: SEED, count: PROFILE_COUNT })].map(({ input, origin }, index) => {
    const phone = parsePhoneNumberFromString(input.phone_number!, 'US')!;
    const age = input.custom_fields?.Age;
    return {
      index,
      phone: phone.formatNational(),
      digits: phone.number.slice(1),
      firstName: input.first_name ?? '',
      lastName: input.last_name ?? '',
      email: input.email ?? '',
      firstSeen: origin.firstSeenAt!,
      sourceType: origin.sourceType,
      age: age === undefined ? null : Number(age),
    };
  });
}

const byFirstSeen = (order: 'asc' | 'desc') => (a: ExpectedProfile, b: ExpectedProfile) => {
  const sign = order === 'asc' ? 1 : -1;
  return sign * (a.firstSeen.localeCompare(b.firstSeen) || a.index - b.index);
};

const POLL = { timeout: 10_000, interval: 100 };

/** The phone numbers in the User column, top to bottom. */
function tablePhones(page: Page): Promise<string[]> {
  return page.locator('table[aria-label="Profiles"] tbody tr td:first-child a').allTextContents();
}

/** The "N profiles" total beside the title. */
async function shownTotal(page: Page): Promise<string> {
  return (await page.getByText(/^[\d,]+ profiles?$/).textContent()) ?? '';
}

async function search(page: Page, term: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Search profiles' }).fill(term);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

describe('Profiles screen in the browser', () => {
  let roster: RunningRoster;
  let browser: Browser;
  let page: Page;
  const expected = expectedProfiles();
  const newestFirst = [...expected].sort(byFirstSeen('desc'));
  const oldestFirst = [...expected].sort(byFirstSeen('asc'));

  beforeAll(async () => {
    roster = await startRoster();
    await loadDemoProfiles(roster.database, roster.companyId, PROFILE_COUNT, { seed: SEED });
    ({ browser, page } = await openBrowserPage());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await roster?.app.close();
  });

  it('sends a visitor to the login page, refuses a wrong password, then logs in to the Profiles table', async () => {
    await page.goto(`${roster.baseUrl}/profiles`);
    await page.getByRole('heading', { name: 'Log in to Roster' }).waitFor();
    await page.getByRole('textbox', { name: 'Email' }).fill(roster.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Could not log in').waitFor();

    await page.getByRole('textbox', { name: 'Password' }).fill(roster.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/profiles');
    await expect.poll(() => shownTotal(page), POLL).toBe('300 profiles');
  });

  it('shows the newest first seen first, with each column filled in', async () => {
    await expect.poll(() => tablePhones(page), POLL).toEqual(newestFirst.slice(0, 25).map((p) => p.phone));
    const top = newestFirst[0]!;
    const firstRow = page.locator('table[aria-label="Profiles"] tbody tr').first();
    const cells = await firstRow.locator('td').allInnerTexts();
    if (top.lastName) expect(cells[0]).toContain(top.lastName);
    if (top.email) expect(cells[0]).toContain(top.email);
    expect(cells[1]).toContain('Not subscribed');
    expect(cells[1]).toContain('No Subscriptions');
    expect(cells[3]).toContain(top.sourceType);
    expect(cells[4]).toContain(new Date(top.firstSeen).getFullYear().toString());
    expect(await page.getByText('Showing 1–25 of 300').isVisible()).toBe(true);
  });

  it('flips to ascending, changes rows per page, and jumps to a typed page on Enter', async () => {
    await page.getByRole('button', { name: 'Descending' }).click();
    await expect.poll(() => tablePhones(page), POLL).toEqual(oldestFirst.slice(0, 25).map((p) => p.phone));
    expect(await page.getByRole('button', { name: 'Ascending' }).isVisible()).toBe(true);

    await page.getByLabel('Rows per page').click();
    await page.getByRole('option', { name: '50', exact: true }).click();
    await expect.poll(() => tablePhones(page), POLL).toEqual(oldestFirst.slice(0, 50).map((p) => p.phone));
    await page.getByText('Showing 1–50 of 300').waitFor();

    const pageField = page.getByRole('textbox', { name: 'Page', exact: true });
    await pageField.fill('4');
    await pageField.press('Enter');
    await expect.poll(() => tablePhones(page), POLL).toEqual(oldestFirst.slice(150, 200).map((p) => p.phone));
    await page.getByText('Showing 151–200 of 300').waitFor();

    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => tablePhones(page), POLL).toEqual(oldestFirst.slice(200, 250).map((p) => p.phone));
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => tablePhones(page), POLL).toEqual(oldestFirst.slice(150, 200).map((p) => p.phone));
    expect(await pageField.inputValue()).toBe('4');

    await page.reload();
    await expect.poll(() => tablePhones(page), POLL).toEqual(oldestFirst.slice(150, 200).map((p) => p.phone));
    expect(await page.getByRole('textbox', { name: 'Page', exact: true }).inputValue()).toBe('4');
  });

  it('searches by part of a surname, by a phone number as people write it, and by email', async () => {
    // Part of a surname several people share (ASCII, so the expectation needs no Unicode folding).
    const surname = [...new Set(expected.map((p) => p.lastName))].find(
      (name) => /^[A-Za-z]{6,}$/.test(name) && expected.filter((p) => p.lastName === name).length >= 2,
    )!;
    const part = surname.slice(1, 5).toLowerCase();
    const matches = expected.filter((p) => [p.firstName, p.lastName, p.email].some((text) => text.toLowerCase().includes(part)));
    await search(page, part);
    await expect.poll(() => shownTotal(page), POLL).toBe(`${matches.length} profiles`);
    expect(new Set(await tablePhones(page))).toEqual(new Set(matches.map((p) => p.phone)));

    const fictional = expected.filter((p) => p.digits.includes('20255501'));
    expect(fictional.length).toBeGreaterThanOrEqual(100);
    await search(page, '(202) 555-01');
    await expect.poll(() => shownTotal(page), POLL).toBe(`${fictional.length} profiles`);
    const phones = await tablePhones(page);
    expect(phones).toHaveLength(50);
    for (const phone of phones) expect(phone).toMatch(/^\(202\) 555-01\d\d$/);

    const withEmail = expected.find((p) => p.email && expected.filter((q) => q.email.includes(p.email)).length === 1)!;
    await search(page, withEmail.email.toUpperCase());
    await expect.poll(() => shownTotal(page), POLL).toBe('1 profile');
    expect(await tablePhones(page)).toEqual([withEmail.phone]);
    expect(await page.locator('table[aria-label="Profiles"] tbody').innerText()).toContain(withEmail.email);

    await page.getByRole('button', { name: 'clear search' }).click();
    await expect.poll(() => shownTotal(page), POLL).toBe('300 profiles');
  });

  const filtered = expected.filter((p) => ['Opted in', 'Uploaded group'].includes(p.sourceType) && p.age !== null && p.age < 40);
  const filteredOldestFirst = [...filtered].sort(byFirstSeen('asc'));

  it('applies two filters, counts them in the indicator and lists them on hover', async () => {
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const pane = page.getByRole('dialog', { name: 'Filters' });
    await pane.getByRole('combobox', { name: 'First seen type' }).click();
    await page.getByRole('option', { name: 'Opted in', exact: true }).click();
    await page.getByRole('option', { name: 'Uploaded group', exact: true }).click();
    // The list stays open for more choices; Escape closes it and leaves the pane open.
    await page.keyboard.press('Escape');
    await pane.getByRole('combobox', { name: 'Add a custom field condition' }).click();
    await page.getByRole('option', { name: 'Age', exact: true }).click();
    await pane.getByRole('combobox', { name: 'Age condition' }).click();
    await page.getByRole('option', { name: 'less than', exact: true }).click();
    await pane.getByRole('spinbutton', { name: 'Age value' }).fill('40');
    // Nothing changes before APPLY.
    expect(await shownTotal(page)).toBe('300 profiles');
    await pane.getByRole('button', { name: 'APPLY' }).click();

    await expect.poll(() => shownTotal(page), POLL).toBe(`${filtered.length} profiles`);
    await expect.poll(() => tablePhones(page), POLL).toEqual(filteredOldestFirst.slice(0, 50).map((p) => p.phone));
    const indicator = page.getByText('2 filters', { exact: true });
    await indicator.hover();
    const list = page.getByRole('list', { name: 'Filters on' });
    await list.waitFor();
    expect(await list.getByRole('listitem').allInnerTexts()).toEqual(['First seen type: Opted in, Uploaded group', 'Age less than 40']);
  });

  it('keeps search, filters, sort and page across a reload and with the Back button', async () => {
    await page.reload();
    await expect.poll(() => shownTotal(page), POLL).toBe(`${filtered.length} profiles`);
    await expect.poll(() => tablePhones(page), POLL).toEqual(filteredOldestFirst.slice(0, 50).map((p) => p.phone));
    expect(await page.getByText('2 filters', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Ascending' }).isVisible()).toBe(true);

    await page.goBack();
    await expect.poll(() => shownTotal(page), POLL).toBe('300 profiles');
    expect(await page.getByText('No filters', { exact: true }).isVisible()).toBe(true);
    await page.goForward();
    await expect.poll(() => shownTotal(page), POLL).toBe(`${filtered.length} profiles`);

    await search(page, '(202) 555-01');
    const searchedAndFiltered = filtered.filter((p) => p.digits.includes('20255501'));
    await expect.poll(() => shownTotal(page), POLL).toBe(`${searchedAndFiltered.length} profiles`);
    await page.reload();
    await expect.poll(() => shownTotal(page), POLL).toBe(`${searchedAndFiltered.length} profiles`);
    expect(await page.getByRole('textbox', { name: 'Search profiles' }).inputValue()).toBe('(202) 555-01');
    expect(await page.getByText('2 filters', { exact: true }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'clear search' }).click();
    await expect.poll(() => shownTotal(page), POLL).toBe(`${filtered.length} profiles`);
  });

  it('opens a profile, shows a bad edit inline, saves a good one and records it in the audit trail', async () => {
    await expect.poll(() => tablePhones(page), POLL).toEqual(filteredOldestFirst.slice(0, 50).map((p) => p.phone));
    const target = filteredOldestFirst[0]!;
    await page.getByRole('link', { name: target.phone, exact: true }).click();
    await page.getByRole('heading', { name: target.phone }).waitFor();
    expect(await page.getByRole('region', { name: 'First seen' }).innerText()).toContain(target.sourceType);

    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit profile' });
    await form.getByRole('textbox', { name: 'Email' }).fill('not-an-email');
    await form.getByRole('textbox', { name: 'Age', exact: true }).fill('two hundred');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('is not an email address (accepted: name@example.org)').waitFor();
    expect(await form.getByRole('textbox', { name: 'Email' }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('textbox', { name: 'Age', exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.innerText()).toContain('a whole number from 0 to 150');

    await form.getByRole('textbox', { name: 'Email' }).fill('Rosa.Parks@Example.org');
    await form.getByRole('textbox', { name: 'Age', exact: true }).fill('33');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The profile was updated.').waitFor();
    const details = await page.getByRole('region', { name: 'Profile' }).innerText();
    expect(details).toContain('rosa.parks@example.org');
    expect(details).toMatch(/AGE\s+33/i);
    const audit = page.getByRole('table', { name: 'Audit trail' });
    await expect.poll(() => audit.innerText(), POLL).toContain(`→ rosa.parks@example.org`);
    expect(await audit.innerText()).toContain(roster.adminEmail);
  });

  it('lets an admin delete the profile and returns to the same filtered table', async () => {
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this profile?' }).getByRole('button', { name: 'Delete profile' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
    await expect.poll(() => shownTotal(page), POLL).toBe(`${filtered.length - 1} profiles`);
    expect(await page.getByText('2 filters', { exact: true }).isVisible()).toBe(true);
    expect(await tablePhones(page)).not.toContain(filteredOldestFirst[0]!.phone);
  });

  it('logs out, after which the table asks for a login again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to Roster' }).waitFor();
    await page.goto(`${roster.baseUrl}/profiles`);
    await page.getByRole('heading', { name: 'Log in to Roster' }).waitFor();
    expect(await page.getByRole('table', { name: 'Profiles' }).count()).toBe(0);
  });
});
