/**
 * Opens the Temporal web UI in Debian's chromium, finds a signup saga by its
 * MemberId search attribute, and saves a screenshot under test-results/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, stack } from '../support/api.ts';

const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results');
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
});

describe('Temporal web UI', () => {
  it('finds a signup saga by its MemberId search attribute', async () => {
    const { accepted, saga } = await signUp();
    const workflowId = `signup-${accepted.body.id}`;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const query = encodeURIComponent(`MemberId="${saga.memberId}"`);
    await page.goto(`${stack().temporalUiUrl}/namespaces/default/workflows?query=${query}`);
    const row = page.getByRole('link', { name: workflowId });
    await row.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('link', { name: /^signup-/ }).count()).toBe(1); // only this member's saga
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: resolve(SCREENSHOTS, 'temporal-ui-signup.png'), fullPage: true });

    await row.click();
    await page.waitForURL(/\/workflows\/signup-/);
    await page.getByText('activateCredentials').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: resolve(SCREENSHOTS, 'temporal-ui-signup-detail.png'), fullPage: true });
    await page.close();
  });
});
