import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/features/audit/audit.js';
import { loadDemoProfiles } from '../../src/features/demo/demo-data.js';
import { manualOptOut } from '../../src/features/opt-outs/opt-outs.service.js';
import { openBrowserPage, type RunningRoster, startRoster } from './harness.js';

/**
 * The phone simulator, Chat and the Inbox (SPEC §3, §4) in a real browser against a real server whose gateway is the
 * built-in simulator (the default). A person texts from the simulated phone; staff see what happened on the screens.
 * Demo profile i has the number (202) 555-01ii; numbers from (202) 555-0150 on have no profile until they text.
 */

const POLL = { timeout: 10_000, interval: 100 };

describe('Phone simulator, Chat and Inbox in the browser', () => {
  let roster: RunningRoster;
  let browser: Browser;
  let page: Page;
  let textableId: number;
  let secondId: number;

  beforeAll(async () => {
    roster = await startRoster();
    await loadDemoProfiles(roster.database, roster.companyId, 2, { seed: 42 });
    const row = await roster.database.db.selectFrom('profiles').select('id').where('company_id', '=', roster.companyId).where('phone_number', '=', '+12025550100').executeTakeFirstOrThrow();
    textableId = row.id;
    secondId = (await roster.database.db.selectFrom('profiles').select('id').where('company_id', '=', roster.companyId).where('phone_number', '=', '+12025550101').executeTakeFirstOrThrow()).id;
    ({ browser, page } = await openBrowserPage());
    await page.goto(`${roster.baseUrl}/profiles`);
    await page.getByRole('textbox', { name: 'Email' }).fill(roster.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(roster.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await roster?.app.close();
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const phone = () => page.getByRole('dialog', { name: 'Phone simulator' });
  const bodies = (scope: Locator) => scope.getByTestId('message-body').allTextContents();

  /** Texts Roster from the simulated phone as `from` and waits for the message in the phone's thread. */
  async function textFromPhone(from: string, body: string): Promise<void> {
    if (!(await phone().isVisible())) await page.getByRole('button', { name: 'Phone simulator' }).click();
    await phone().getByRole('textbox', { name: 'From number' }).fill(from);
    await phone().getByRole('textbox', { name: 'Text to send' }).fill(body);
    await phone().getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => bodies(phone().getByRole('log', { name: 'Phone thread' })), POLL).toContain(body);
  }

  async function closePhone(): Promise<void> {
    await page.keyboard.press('Escape');
    await phone().waitFor({ state: 'hidden' });
  }

  it('texts STOP from a new number: the profile is opted out in the table and its CHAT refuses to send', async () => {
    await textFromPhone('202-555-0150', 'Stop!');
    await closePhone();

    await page.getByRole('textbox', { name: 'Search profiles' }).fill('555-0150');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const rows = page.locator('table[aria-label="Profiles"] tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    const row = await rows.first().innerText();
    expect(row).toContain('(202) 555-0150');
    expect(row).toContain('Opted out');
    expect(row).toContain('Undeliverable - Texted a STOP word');

    await rows.first().getByRole('link', { name: 'Chat with (202) 555-0150' }).click();
    await page.getByRole('heading', { name: 'Chat with (202) 555-0150' }).waitFor();
    await expect.poll(() => page.getByTestId('untextable-reason').innerText(), POLL).toContain('Undeliverable - Texted a STOP word');
    expect(await page.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    expect(await bodies(page.getByRole('log', { name: 'Messages' }))).toContain('Stop!');
    // A STOP is the person's word: staff are offered neither Opt out nor Opt in again.
    expect(await page.getByRole('button', { name: 'Opt out' }).count()).toBe(0);
  });

  it('sends from Chat to a textable profile, shows the delivery state, and the phone receives it', async () => {
    await page.goto(`${roster.baseUrl}/profiles/${textableId}/chat`);
    await page.getByRole('heading', { name: 'Chat with (202) 555-0100' }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Meeting tonight at 7');
    await page.getByRole('button', { name: 'Send' }).click();
    const conversation = page.getByRole('log', { name: 'Messages' });
    const sent = conversation.locator('[data-direction="outbound"]').filter({ hasText: 'Meeting tonight at 7' });
    await expect.poll(() => sent.getByTestId('message-status').textContent(), POLL).toBe('Delivered');
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');

    await page.getByRole('button', { name: 'Phone simulator' }).click();
    await phone().getByRole('textbox', { name: 'From number' }).fill('+1 202 555 0100');
    await phone().getByRole('textbox', { name: 'From number' }).blur();
    await expect.poll(() => bodies(phone().getByRole('log', { name: 'Phone thread' })), POLL).toContain('Meeting tonight at 7');
    await textFromPhone('+1 202 555 0100', 'See you there');
    await closePhone();
    await expect.poll(() => bodies(conversation), POLL).toEqual(['Meeting tonight at 7', 'See you there']);

    // The profile page shows the same history and leads back to the chat.
    await page.getByRole('link', { name: 'Profile', exact: true }).click();
    const history = page.getByRole('region', { name: 'Messages' });
    await expect.poll(() => bodies(history), POLL).toEqual(['Meeting tonight at 7', 'See you there']);
    await history.getByRole('link', { name: 'Open chat' }).click();
    await page.getByRole('heading', { name: 'Chat with (202) 555-0100' }).waitFor();
  });

  it('opts the person out from Chat (Opt-out from Inbox), after which the send box is off', async () => {
    await page.getByRole('button', { name: 'Opt out' }).click();
    await page.getByRole('dialog', { name: 'Opt this person out?' }).getByRole('button', { name: 'Opt out' }).click();
    await expect.poll(() => page.getByTestId('untextable-reason').innerText().catch(() => ''), POLL).toContain('Undeliverable - Opt-out from Inbox');
    expect(await page.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(true);
  });

  it('refuses a send, with the reason, to a profile opted out after the chat was opened', async () => {
    await page.goto(`${roster.baseUrl}/profiles/${secondId}/chat`);
    await page.getByRole('heading', { name: 'Chat with (202) 555-0101' }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Are you coming?');
    // Hold the conversation's refetches (they are answered later, unchanged) so that the send, not a poll, is what
    // learns of the opt-out.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/api\/v1\/profiles\/\d+\/messages\?/, async (route) => {
      await held;
      // The app may have dropped a held refetch meanwhile (a newer one replaces it); then there is nothing to pass on.
      await route.continue().catch(() => undefined);
    });
    try {
      await manualOptOut(roster.database, roster.companyId, SYSTEM_ACTOR, ['+12025550101']);
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.getByTestId('send-refused').innerText().catch(() => ''), POLL).toContain('Undeliverable - Manual Opt-Out');
    } finally {
      release();
      await page.unroute(/\/api\/v1\/profiles\/\d+\/messages\?/);
    }
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).isDisabled(), POLL).toBe(true);
    expect(await page.getByTestId('untextable-reason').innerText()).toContain('Undeliverable - Manual Opt-Out');
    // What was typed is kept, and nothing was sent.
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('Are you coming?');
    expect(await bodies(page.getByRole('log', { name: 'Messages' }))).not.toContain('Are you coming?');
  });

  it('creates a campaign with a keyword; texting the keyword subscribes the number and it gets the welcome message', async () => {
    await nav('Campaigns').click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('form', { name: 'New campaign' }).getByRole('textbox', { name: 'Name' }).fill('Heat Watch');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { name: 'Heat Watch' }).waitFor();
    await page.getByRole('button', { name: 'Add opt-in path' }).click();
    const form = page.getByRole('form', { name: 'New opt-in path' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Heat keyword');
    await form.getByRole('combobox', { name: 'Keywords' }).fill('HEAT');
    await form.getByRole('combobox', { name: 'Keywords' }).press('Enter');
    await form.getByRole('textbox', { name: 'Welcome message' }).fill('You are on the Heat Watch list.');
    await form.getByRole('button', { name: 'Add opt-in path' }).click();
    await page.getByRole('table', { name: 'Opt-in paths' }).waitFor();

    await textFromPhone('(202) 555-0151', 'heat');
    await expect.poll(() => bodies(phone().getByRole('log', { name: 'Phone thread' })), POLL).toEqual(['heat', 'You are on the Heat Watch list.']);
    await closePhone();

    const subscribers = page.getByRole('table', { name: 'Subscribers' });
    await expect.poll(() => subscribers.innerText(), POLL).toContain('(202) 555-0151');
    expect(await subscribers.innerText()).toContain('Heat keyword');
    expect(await subscribers.getByTestId('subscription-status').allTextContents()).toEqual(['Active']);
  });

  it('keeps a double opt-in subscription pending until the person replies YES', async () => {
    await page.getByRole('button', { name: 'Add opt-in path' }).click();
    const form = page.getByRole('form', { name: 'New opt-in path' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Heat alerts');
    await form.getByRole('combobox', { name: 'Keywords' }).fill('ALERTS');
    await form.getByRole('combobox', { name: 'Keywords' }).press('Enter');
    await form.getByRole('switch', { name: 'Double opt-in' }).check({ force: true });
    await form.getByRole('textbox', { name: 'Welcome message' }).fill('Alerts are on.');
    await form.getByRole('button', { name: 'Add opt-in path' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Opt-in paths' }).innerText(), POLL).toContain('Yes (reply YES)');

    await textFromPhone('(202) 555-0155', 'Alerts!');
    const subscribers = page.getByRole('table', { name: 'Subscribers' });
    const row = subscribers.locator('tbody tr').filter({ hasText: '(202) 555-0155' });
    await closePhone();
    await expect.poll(() => row.getByTestId('subscription-status').textContent().catch(() => ''), POLL).toBe('Pending');

    await textFromPhone('(202) 555-0155', 'yes');
    await expect.poll(() => bodies(phone().getByRole('log', { name: 'Phone thread' })), POLL).toContain('Alerts are on.');
    await closePhone();
    await expect.poll(() => row.getByTestId('subscription-status').textContent(), POLL).toBe('Active');
    await expect.poll(() => page.getByTestId('count-active').textContent(), POLL).toBe('2');
  });

  it('marks a possible opt-out in the Inbox, filters to it, dismisses one and confirms another', async () => {
    await textFromPhone('(202) 555-0152', 'please stop texting me');
    await textFromPhone('(202) 555-0153', 'I want to opt out of these');
    await textFromPhone('(202) 555-0154', 'What time is the meeting?');
    await closePhone();

    await nav('Inbox').click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const rows = page.locator('table[aria-label="Conversations"] tbody tr');
    const rowOf = (number: string) => rows.filter({ hasText: number });
    // Newest first.
    await expect.poll(async () => (await rows.allInnerTexts()).slice(0, 3).map((r) => r.match(/\(202\) 555-01\d\d/)?.[0]), POLL).toEqual([
      '(202) 555-0154',
      '(202) 555-0153',
      '(202) 555-0152',
    ]);
    expect(await rowOf('(202) 555-0152').getByTestId('possible-opt-out').count()).toBe(1);
    expect(await rowOf('(202) 555-0154').getByTestId('possible-opt-out').count()).toBe(0);

    await page.locator('[aria-label="Show conversations"]').getByText('Possible opt-outs', { exact: true }).click();
    await expect.poll(() => page.getByTestId('inbox-total').textContent(), POLL).toBe('2 conversations');
    expect(new URL(page.url()).searchParams.get('possible_opt_out')).toBe('true');

    await rowOf('(202) 555-0152').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.getByTestId('inbox-total').textContent(), POLL).toBe('1 conversation');

    await rowOf('(202) 555-0153').getByRole('button', { name: 'Confirm opt-out' }).click();
    await page.getByRole('dialog', { name: 'Opt this person out?' }).getByRole('button', { name: 'Opt out' }).click();
    await expect.poll(() => page.getByTestId('inbox-total').textContent(), POLL).toBe('0 conversations');

    await page.locator('[aria-label="Show conversations"]').getByText('All conversations', { exact: true }).click();
    await expect.poll(() => rowOf('(202) 555-0153').innerText(), POLL).toContain('Undeliverable - Opt-out from Inbox');
    await rowOf('(202) 555-0154').getByRole('link', { name: '(202) 555-0154' }).click();
    await page.getByRole('heading', { name: 'Chat with (202) 555-0154' }).waitFor();
    expect(await bodies(page.getByRole('log', { name: 'Messages' }))).toEqual(['What time is the meeting?']);
    expect(await page.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(false);
  });
});
