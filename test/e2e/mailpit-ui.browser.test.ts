/**
 * Opens Mailpit's web UI in Debian's chromium and finds the overdue notice a
 * member was mailed when a loan ran past its due date (the test stack lends for
 * 8 s). Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, signUp, stack } from '../support/api.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';
import { awaitMail } from '../support/mail.ts';
import { newBook, rent } from '../support/library.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('Mailpit web UI', () => {
  it("shows a member's overdue notice", async () => {
    const { body } = await signUp();
    const token = await logIn(body.email, body.password);
    const { bookNo } = await newBook();
    expect((await rent(token, bookNo)).status).toBe('COMPLETED');
    const subject = new RegExp(`^Overdue: book ${bookNo} was due`);
    // The API says it arrived; the browser must find it on its own.
    const overdue = await awaitMail(body.email, subject, 45_000);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${stack().mailpitUrl}/search?q=${encodeURIComponent(`to:"${body.email}"`)}`);
    const row = page.getByText(subject).first();
    await row.waitFor({ timeout: 30_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: resolve(SCREENSHOTS, 'mailpit-inbox.png'), fullPage: true });

    await row.click();
    await page.waitForURL(new RegExp(`/view/${overdue.ID}`), { timeout: 30_000 });
    // The text of the mail, as the member reads it.
    await page
      .getByText(/Your rental card is suspended until it is back/)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.getByText(subject).count()).toBeGreaterThan(0);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'mailpit-overdue-notice.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
