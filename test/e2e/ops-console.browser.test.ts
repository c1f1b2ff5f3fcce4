/**
 * The operations console in Debian's chromium: an admin signs in at /ops and
 * sees the sagas waiting for an operator, recent sagas linked to the Temporal
 * UI, the outbox backlog, consumer lag and dead letters, then browses a topic
 * and finds a new book's event by its key. No script runs, nothing is refused
 * by the page's policy, nothing comes from another origin.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';
import { launchChromium, screenshot, watchPage } from '../support/browser.ts';
import { newBook, newMember, rent } from '../support/library.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('operations console (/ops)', () => {
  it('signs an admin in and shows sagas, outboxes, lag, dead letters and a topic', { timeout: 180_000 }, async () => {
    const member = await newMember();
    const { bookNo, title } = await newBook();
    const rented = await rent(member.token, bookNo);
    expect(rented.status).toBe('COMPLETED');

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const seen = watchPage(page, new URL(stack().apiUrl).origin);
    const response = await page.goto(`${stack().apiUrl}/ops`);
    expect(response?.status()).toBe(401); // the sign-in page
    await page.getByLabel('Email').fill(process.env.ADMIN_EMAIL ?? 'admin@library.local');
    await page.getByLabel('Password').fill(process.env.ADMIN_PASSWORD ?? 'admin-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Operations', exact: true }).waitFor({ timeout: 60_000 });
    for (const heading of [/Sagas that need an operator/, /Recent sagas and loans/, /Outbox backlog/, /Consumer lag/, /Dead letters/]) {
      expect(await page.getByRole('heading', { name: heading }).count(), String(heading)).toBe(1);
    }
    // The rent is listed, linked to its page in the Temporal UI.
    const sagaLink = page.getByRole('link', { name: `rent-${rented.id}` });
    expect(await sagaLink.getAttribute('href')).toBe(`${stack().temporalUiUrl}/namespaces/default/workflows/rent-${rented.id}`);
    expect(await page.locator('#outbox tbody tr').count()).toBe(4);
    expect(await page.locator('#consumer-lag tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'ops-console.png');

    // The topic browser: the book's event, found by its key and decoded.
    await page.goto(`${stack().apiUrl}/ops/topics/book.book-changed.v1?key=${bookNo}`);
    await page.getByText(`"title": "${title}"`).waitFor({ timeout: 60_000 });
    expect(await page.locator('article.event').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('tbody tr').count()).toBe(3); // three partitions
    await screenshot(page, 'ops-topic.png');

    expect(await page.locator('script').count()).toBe(0);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.foreignRequests).toEqual([]);
    await context.close();
  });
});
