import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { upcastBookChanged } from '../contracts/book-changed.ts';
import { envelope, uniqueBookNo } from '../../test/support/events.ts';
import { createDb, type Db } from '../platform/db.ts';
import { createApp } from '../platform/http/app.ts';
import { createLogger } from '../platform/logger.ts';
import { bestBookRoutes } from './http/routes.ts';
import { countBookRented, findBestBooks, recordBookTitle } from './rent-counts.ts';

let db: Db;
const books: number[] = [];

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
});
afterAll(async () => {
  // Leave no rents behind: other suites read the top of /books/best.
  await db.bookRentCount.deleteMany({ where: { bookNo: { in: books } } });
  await db.$disconnect();
});

function newBook(): number {
  const bookNo = uniqueBookNo();
  books.push(bookNo);
  return bookNo;
}

const rented = (bookNo: number, title: string, occurredAt = new Date()) =>
  envelope(
    'rental.item-rented.v1',
    { rentalId: randomUUID(), memberId: randomUUID(), bookNo, title, rentedAt: occurredAt.toISOString(), dueAt: occurredAt.toISOString() },
    { occurredAt },
  );
const changed = (bookNo: number, title: string, occurredAt: string) =>
  upcastBookChanged(envelope('book.book-changed.v1', { bookNo, title, author: 'A. Author' }, { occurredAt }));
const changedV2 = (bookNo: number, title: string, occurredAt: string, change: 'CREATED' | 'UPDATED' | 'WITHDRAWN') =>
  envelope(
    'book.book-changed.v2',
    { bookNo, title, author: 'A. Author', change, status: change === 'WITHDRAWN' ? 'WITHDRAWN' : 'AVAILABLE' },
    { occurredAt },
  );
const row = (bookNo: number) => db.bookRentCount.findUnique({ where: { bookNo }, select: { title: true, rentCount: true } });

describe('best-book handlers', () => {
  it('counts each rent once, however often the event is delivered', async () => {
    const bookNo = newBook();
    const first = rented(bookNo, 'Dune');
    await countBookRented(db, first);
    await countBookRented(db, first);
    await Promise.all([countBookRented(db, rented(bookNo, 'Dune')), countBookRented(db, rented(bookNo, 'Dune'))]);
    expect(await row(bookNo)).toEqual({ title: 'Dune', rentCount: 3 });
  });

  it('keeps the newest catalog title whatever order the events arrive in', async () => {
    const bookNo = newBook();
    await recordBookTitle(db, changed(bookNo, 'Second edition', '2026-02-01T00:00:00.000Z'));
    await recordBookTitle(db, changed(bookNo, 'First edition', '2026-01-01T00:00:00.000Z'));
    expect(await row(bookNo)).toEqual({ title: 'Second edition', rentCount: 0 });
    await recordBookTitle(db, changed(bookNo, 'Third edition', '2026-03-01T00:00:00.000Z'));
    expect(await row(bookNo)).toEqual({ title: 'Third edition', rentCount: 0 });
  });

  it("never lets a rent's title overwrite a catalog title, and lets any catalog title replace a rent's", async () => {
    const titledFirst = newBook();
    await recordBookTitle(db, changed(titledFirst, 'Catalog title', '2026-01-01T00:00:00.000Z'));
    await countBookRented(db, rented(titledFirst, 'Stale cached title', new Date('2026-06-01T00:00:00.000Z')));
    expect(await row(titledFirst)).toEqual({ title: 'Catalog title', rentCount: 1 });

    const rentedFirst = newBook();
    await countBookRented(db, rented(rentedFirst, 'Title from the rent', new Date('2026-06-01T00:00:00.000Z')));
    expect(await row(rentedFirst)).toEqual({ title: 'Title from the rent', rentCount: 1 });
    await recordBookTitle(db, changed(rentedFirst, 'Older catalog title', '2026-01-01T00:00:00.000Z'));
    expect(await row(rentedFirst)).toEqual({ title: 'Older catalog title', rentCount: 1 });
  });

  it('applies a duplicate book-changed event once', async () => {
    const bookNo = newBook();
    const event = changed(bookNo, 'Old', '2026-01-01T00:00:00.000Z');
    await recordBookTitle(db, event);
    await recordBookTitle(db, changed(bookNo, 'New', '2026-02-01T00:00:00.000Z'));
    await recordBookTitle(db, event);
    expect(await row(bookNo)).toEqual({ title: 'New', rentCount: 0 });
  });
});

describe('GET /books/best', () => {
  const app = () => createApp({ logger: createLogger({ name: 'test', level: 'silent' }), routers: [bestBookRoutes({ db })] });

  it('orders by rent count, then book number, and leaves out books never rented', async () => {
    const [a, b, c] = [newBook(), newBook(), newBook()].sort((x, y) => x - y) as [number, number, number];
    await recordBookTitle(db, changed(a, 'Never rented', '2026-01-01T00:00:00.000Z'));
    for (const [bookNo, times] of [
      [b, 2],
      [c, 2],
    ] as const) {
      for (let i = 0; i < times; i++) await countBookRented(db, rented(bookNo, `Book ${bookNo}`));
    }
    const response = await app().request('/books/best?limit=100');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { bookNo: number; title: string; rentCount: number }[];
    const mine = body.filter((entry) => [a, b, c].includes(entry.bookNo));
    expect(mine).toEqual([
      { bookNo: b, title: `Book ${b}`, rentCount: 2 },
      { bookNo: c, title: `Book ${c}`, rentCount: 2 },
    ]);
    const counts = body.map((entry) => entry.rentCount);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(await findBestBooks(db, 1)).toHaveLength(1);
  });

  it('answers 10 books at most by default', async () => {
    const response = await app().request('/books/best');
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[]).length).toBeLessThanOrEqual(10);
  });

  it.each(['0', '101', '2.5', 'ten', ''])('refuses limit=%j with 400 VALIDATION_FAILED', async (limit) => {
    const response = await app().request(`/books/best?limit=${limit}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details[0]?.path).toBe('limit');
  });

  it('leaves a withdrawn book out, whichever version of the change comes first', async () => {
    const [a, b] = [newBook(), newBook()];
    for (const bookNo of [a, b]) await countBookRented(db, rented(bookNo, `Book ${bookNo}`));
    await recordBookTitle(db, changed(a, 'Withdrawn A', '2026-01-01T00:00:00.000Z'));
    await recordBookTitle(db, changedV2(a, 'Withdrawn A', '2026-01-01T00:00:00.000Z', 'WITHDRAWN'));
    await recordBookTitle(db, changedV2(b, 'Kept B', '2026-01-01T00:00:00.000Z', 'UPDATED'));
    const best = (await findBestBooks(db, 100)).map((entry) => entry.bookNo);
    expect(best).toContain(b);
    expect(best).not.toContain(a);
  });
});
