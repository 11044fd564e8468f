import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import { createCompany } from '../../src/features/accounts/accounts.service.js';
import { freshDatabase } from '../db.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Builds the web app unless a build is there (`npm test` builds first; `npx vitest run test/e2e` alone may not). */
export function ensureWebBuild(): void {
  if (existsSync(join(ROOT, 'web', 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export interface RunningRoster {
  app: App;
  database: Database;
  baseUrl: string;
  companyId: number;
  adminEmail: string;
  adminPassword: string;
}

/** A real Roster server on a free loopback port over a fresh SQLite database, with one company and its admin. */
export async function startRoster(): Promise<RunningRoster> {
  ensureWebBuild();
  const database = await freshDatabase('sqlite');
  const config = loadConfig({ ROSTER_DATABASE_URL: 'sqlite::memory:', ROSTER_LOG_LEVEL: 'silent', ROSTER_DEACTIVATION_FEED: 'false' });
  const adminEmail = `organiser-${process.pid}@example.org`;
  const adminPassword = 'correct horse battery staple';
  const { companyId } = await createCompany(database, { name: 'Metro Tenants Union', adminEmail, adminPassword });
  const app = await buildApp(config, { database });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, database, baseUrl, companyId, adminEmail, adminPassword };
}

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

/**
 * Debian's Chromium with one page the size of a laptop screen, in US English. A step fails after 10 s, with the
 * locator that was missing, rather than at the test's own timeout.
 */
export async function openBrowserPage(): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'en-US' });
  page.setDefaultTimeout(10_000);
  return { browser, page };
}

/** Opens `url` (any page: the app sends a visitor to its login form first) and logs in there. */
export async function logIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
