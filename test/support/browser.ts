/** Debian's chromium driven by playwright-core (no browser download), with the flags it needs as root in a container. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a screenshot under test-results/ (the README's images are copied from there). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, name), fullPage });
}

/** Collects what the page's Content-Security-Policy refused and every request that left the page's origin. */
export function watchPage(page: Page, origin: string): { cspViolations: string[]; foreignRequests: string[] } {
  const seen = { cspViolations: [] as string[], foreignRequests: [] as string[] };
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.cspViolations.push(message.text());
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) seen.foreignRequests.push(url);
  });
  return seen;
}
