import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../platform/db.ts';
import { addBook, withdrawBook } from './catalog.ts';
import { markBookAvailable, markBookRented } from './loans.ts';

let db: Db;
beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
});
afterAll(() => db.$disconnect());

const outboxOf = async (bookNo: number) =>
  (await db.bookOutbox.findMany({ where: { key: String(bookNo) }, orderBy: { seq: 'asc' } })).map((row) => ({
    topic: row.topic,
    payload: (row.envelope as { payload: Record<string, unknown> }).payload,
  }));

describe('withdrawing a book', () => {
  it('refuses while the book is out, withdraws once, and the saga step then refuses BOOK_WITHDRAWN', async () => {
    const { bookNo } = await addBook(db, { title: 'Withdrawn soon', author: 'W' });
    const rentalId = randomUUID();
    await markBookRented(db, { bookNo, rentalId });
    await expect(withdrawBook(db, bookNo)).rejects.toMatchObject({ code: 'BOOK_RENTED' });
    await markBookAvailable(db, { bookNo, rentalId });
    expect(await withdrawBook(db, bookNo)).toMatchObject({ status: 'WITHDRAWN', rentalId: null });
    await expect(withdrawBook(db, bookNo)).rejects.toMatchObject({ code: 'BOOK_WITHDRAWN' });
    await expect(markBookRented(db, { bookNo, rentalId: randomUUID() })).rejects.toMatchObject({ code: 'BOOK_WITHDRAWN' });
    // An undo of a rent that never got the book leaves it withdrawn.
    await markBookAvailable(db, { bookNo, rentalId: randomUUID() });
    expect((await db.book.findUnique({ where: { bookNo } }))?.status).toBe('WITHDRAWN');
    expect(await outboxOf(bookNo)).toEqual([
      { topic: 'book.book-changed.v2', payload: { bookNo, title: 'Withdrawn soon', author: 'W', change: 'CREATED', status: 'AVAILABLE' } },
      { topic: 'book.book-changed.v1', payload: { bookNo, title: 'Withdrawn soon', author: 'W' } },
      {
        topic: 'book.book-changed.v2',
        payload: { bookNo, title: 'Withdrawn soon', author: 'W', change: 'WITHDRAWN', status: 'WITHDRAWN' },
      },
      { topic: 'book.book-changed.v1', payload: { bookNo, title: 'Withdrawn soon', author: 'W' } },
    ]);
  });

  it('lets exactly one of a rent and a withdrawal racing for a book win', async () => {
    for (let round = 0; round < 10; round++) {
      const { bookNo } = await addBook(db, { title: `Raced ${round}`, author: 'R' });
      const rentalId = randomUUID();
      const [rented, withdrawn] = await Promise.allSettled([markBookRented(db, { bookNo, rentalId }), withdrawBook(db, bookNo)]);
      expect([rented.status, withdrawn.status].filter((status) => status === 'fulfilled')).toHaveLength(1);
      const book = await db.book.findUnique({ where: { bookNo } });
      expect(book?.status).toBe(rented.status === 'fulfilled' ? 'RENTED' : 'WITHDRAWN');
      await markBookAvailable(db, { bookNo, rentalId }); // leave no loan without a rental behind
    }
  });
});
