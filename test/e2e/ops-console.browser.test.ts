/**
 * The operations console in Debian's chromium: an admin signs in at /ops and
 * sees the sagas waiting for an operator, recent sagas linked to the Temporal
 * UI, the outbox backlog, consumer lag and dead letters, then browses a topic
 * and finds a new book's event by its key. No script runs, nothing is refused
 * by the page's policy, nothing comes from another origin. Dead letters are
 * discarded with a reason, kept beside them in the dead-letter topic.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../scripts/dead-letters.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { eventually, stack } from '../support/api.ts';
import { launchChromium, screenshot, watchPage } from '../support/browser.ts';
import { newBook, newMember, rent } from '../support/library.ts';

let browser: Browser;

async function signIn(page: Page): Promise<void> {
  const response = await page.goto(`${stack().apiUrl}/ops`);
  expect(response?.status()).toBe(401); // the sign-in page
  await page.getByLabel('Email').fill(process.env.ADMIN_EMAIL ?? 'admin@library.local');
  await page.getByLabel('Password').fill(process.env.ADMIN_PASSWORD ?? 'admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Operations', exact: true }).waitFor({ timeout: 60_000 });
}
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
    await signIn(page);
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

  it('discards dead letters with a reason that stays beside them', { timeout: 180_000 }, async () => {
    // A message nobody can read: both groups reading the topic (best-book, rental-book-titles) park it.
    const topic = 'book.book-changed.v2';
    const key = `ops-poison-${randomUUID()}`;
    const producer = new Kafka({ brokers: stack().kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key, value: '{"not json' }] });
    await producer.disconnect();
    const kafka = createKafka({
      brokers: stack().kafkaBrokers.split(','),
      clientId: 'test-ops-dlq',
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    const ours = async () => (await listDeadLetters(kafka, [topic])).filter((letter) => letter.key === key);
    const parked = await eventually(async () => ((await ours()).length >= 2 ? ours() : undefined), 60_000);
    expect(parked.map((letter) => letter.status)).toEqual(['unhandled', 'unhandled']);

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const seen = watchPage(page, new URL(stack().apiUrl).origin);
    await signIn(page);
    // The overview offers re-drive and discard for the topic's unhandled letters.
    const row = page.locator('#dead-letters tr', { hasText: `${topic}.dlq` });
    expect(await row.getByRole('button', { name: `Re-drive to ${topic}` }).count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Discard all unhandled' }).count()).toBe(1);

    // Each letter on the dead-letter topic's page, found by its key, with its own discard form.
    const letterPage = `${stack().apiUrl}/ops/topics/${topic}.dlq?key=${key}`;
    await page.goto(letterPage);
    expect(await page.getByRole('button', { name: 'Discard this letter' }).count()).toBe(2);
    await screenshot(page, 'ops-dead-letters.png');
    const reason = 'poison sent by the console test';
    for (const letter of parked) {
      await page.goto(letterPage);
      await page.getByLabel(`Reason to discard ${letter.position}`).fill(reason);
      await page
        .locator('form', { has: page.getByLabel(`Reason to discard ${letter.position}`) })
        .getByRole('button', { name: 'Discard this letter' })
        .click();
      await page.waitForURL(/\/ops\?notice=/, { timeout: 60_000 }).catch(async (error) => {
        throw new Error(`no redirect to the overview after the discard: ${page.url()}\n${(await page.content()).slice(0, 3000)}`, {
          cause: error,
        });
      });
      expect(await page.locator('p.notice').textContent()).toBe(`discarded 1 dead letter(s) of ${topic} (${letter.position}): ${reason}`);
    }
    // The ledger (the same records `npm run dlq -- list --all` reads): both settled as discarded, the reason kept.
    const settled = await ours();
    expect(settled.map((letter) => [letter.status, letter.note])).toEqual([
      ['discarded', reason],
      ['discarded', reason],
    ]);
    await page.goto(letterPage);
    expect(await page.getByRole('button', { name: 'Discard this letter' }).count()).toBe(0);
    expect(await page.getByText(`discarded (${reason})`).count()).toBe(2);
    // A reason is required.
    const refused = await page.request.post(`${stack().apiUrl}/ops/dead-letters/${topic}/discard`, { form: { reason: '' } });
    expect(refused.status()).toBe(400);

    expect(await page.locator('script').count()).toBe(0);
    expect(seen.cspViolations).toEqual([]);
    expect(seen.foreignRequests).toEqual([]);
    await context.close();
  });
});
