/**
 * Read models after a scripted sequence of rents and returns equal what the
 * events imply, through the HTTP API; rebuilding them from the topics alone
 * gives the same rows. (In the serial project: a rebuild empties the tables.)
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildReadModels } from '../../scripts/rebuild-read-models.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { api, stack } from '../support/api.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { giveBack, newBook, newMember, rent } from '../support/library.ts';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await db.end();
});

describe('read models', () => {
  it('match the scripted rents and returns, and a rebuild from the topics gives the same rows', async () => {
    const [ann, bob, cy] = await Promise.all([newMember(), newMember(), newMember()]);
    const books = await Promise.all([newBook(), newBook(), newBook()]);
    const [b1, b2, b3] = books.map((book) => book.bookNo) as [number, number, number];
    // b1 rented three times, b2 twice, b3 once; ann returns everything, bob keeps b2, cy keeps b1.
    for (const [member, bookNo, back] of [
      [ann, b1, true],
      [bob, b1, true],
      [ann, b2, true],
      [cy, b1, false],
      [bob, b2, false],
      [ann, b3, true],
    ] as const) {
      expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
      if (back) expect((await giveBack(member.token, bookNo)).status).toBe('COMPLETED');
    }
    const scope = { memberIds: [ann.memberId, bob.memberId, cy.memberId], bookNos: [b1, b2, b3] };
    await expectInvariantsToHold(scope);

    // The shared test database holds many other books, so ours are read from the table; the route's order is checked on its top rows.
    const counts = await db.query(
      'SELECT book_no, rent_count FROM bestbook.book_rent_count WHERE book_no = ANY($1) ORDER BY rent_count DESC',
      [[b1, b2, b3]],
    );
    expect(counts.rows.map((row) => [row.book_no, row.rent_count])).toEqual([
      [b1, 3],
      [b2, 2],
      [b3, 1],
    ]);
    const top = (await api('/books/best?limit=5')).body as { rentCount: number }[];
    expect(top.length).toBe(5);
    expect(top.map((row) => row.rentCount)).toEqual([...top.map((row) => row.rentCount)].sort((a, b) => b - a));
    expect(top[0]!.rentCount).toBeGreaterThanOrEqual(3); // b1 was rented three times
    const annHistory = (await api('/members/me/history', { token: ann.token })).body;
    expect(annHistory.map((row: { bookNo: number; returnedAt?: string }) => [row.bookNo, Boolean(row.returnedAt)])).toEqual([
      [b3, true],
      [b2, true],
      [b1, true],
    ]);
    const cyHistory = (await api('/members/me/history', { token: cy.token })).body;
    expect(cyHistory).toEqual([expect.objectContaining({ bookNo: b1, title: books[0]!.title })]);
    expect(cyHistory[0].returnedAt).toBeUndefined();

    const snapshot = async () => ({
      counts: (
        await db.query('SELECT book_no, title, rent_count FROM bestbook.book_rent_count WHERE book_no = ANY($1) ORDER BY book_no', [
          [b1, b2, b3],
        ])
      ).rows,
      history: (
        await db.query(
          'SELECT rental_id, member_id, book_no, title, rented_at, returned_at FROM member.rental_history WHERE member_id = ANY($1::uuid[]) ORDER BY rental_id',
          [scope.memberIds],
        )
      ).rows,
      titles: (await db.query('SELECT book_no, title FROM rental.book_title WHERE book_no = ANY($1) ORDER BY book_no', [[b1, b2, b3]]))
        .rows,
    });
    const before = await snapshot();
    expect(before.history).toHaveLength(6);
    await rebuildReadModels({
      databaseUrl: stack().databaseUrl,
      brokers: stack().kafkaBrokers.split(','),
      logger: createLogger({ name: 'rebuild', level: 'warn' }),
      allowTruncatedTopics: true,
    });
    expect(await snapshot()).toEqual(before);
    await expectInvariantsToHold(scope);
  }, 180_000);
});
