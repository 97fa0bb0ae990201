/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), headless, no network
 * services, a fresh profile per launch. Missing chromium fails under CI=true and skips elsewhere.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.RPCSWEEP_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined. Under CI a missing browser is a failure, not a skip. */
export const browserSkipReason = (): string | undefined => {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI === 'true')
    throw new Error(`${CHROMIUM} is missing: CI must install chromium (.ci/run)`);
  return `${CHROMIUM} is not installed (apt-get install chromium)`;
};

export interface Browser {
  context: BrowserContext;
  /** The fresh profile directory (--user-data-dir) of this launch. */
  profile: string;
  close(): Promise<void>;
}

export const launchBrowser = async (): Promise<Browser> => {
  const profile = mkdtempSync(join(tmpdir(), 'rpcsweep-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    profile,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
};

/** What a page reported while open: console errors, page errors, CSP violations, requests made. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

/**
 * Opens `file` (an absolute path) in a new page and records console errors, uncaught errors and
 * every request other than the file itself. CSP violations are collected inside the page, in
 * `window.__cspViolations`, by a listener installed before any of the report's own code runs.
 */
export const openReport = async (b: Browser, file: string): Promise<{ page: Page; watch: PageWatch }> => {
  const page = await b.context.newPage();
  const watch: PageWatch = { consoleErrors: [], pageErrors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => watch.pageErrors.push(String(e)));
  const url = `file://${file}`;
  page.on('request', (r) => {
    if (r.url() !== url) watch.requests.push(r.url());
  });
  // A string: the test project has no DOM types, and this runs in the page, not here.
  await page.addInitScript(`window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI));`);
  await page.goto(url);
  await page.waitForSelector('html[data-ready="1"]');
  return { page, watch };
};
