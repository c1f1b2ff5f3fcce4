/**
 * SIGKILL the worker at random moments while 60 rent sagas and their returns
 * run; restart it each time. Every saga must finish, nothing may be doubled,
 * and the invariants must hold.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, settledSaga, stack } from '../support/api.ts';
import { killProcess, startProcess } from '../support/control.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { newBook, newMember } from '../support/library.ts';

// One book each: the test stack's loans last 8 s, and a member's second rent, delayed past that by
// the kills, would meet a card suspended by the first loan's timer (a correct refusal, not this test's subject).
const MEMBERS = 60;
const BOOKS_EACH = 1;
// Members are made a batch at a time: the API refuses more than 20 logins in flight from one address.
const SIGNUP_BATCH = 10;
let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await startProcess('worker'); // leave a worker running whatever happened
  await db.end();
});

async function start(path: string, token: string, bookNo: number): Promise<string> {
  const accepted = await api(path, { method: 'POST', token, json: { bookNo } });
  expect(accepted.status).toBe(202);
  return accepted.headers.get('location')!;
}

describe('killing the worker', () => {
  it(`${MEMBERS * BOOKS_EACH * 2} sagas survive repeated SIGKILLs of the worker`, async () => {
    const members: Awaited<ReturnType<typeof newMember>>[] = [];
    while (members.length < MEMBERS) members.push(...(await Promise.all(Array.from({ length: SIGNUP_BATCH }, () => newMember()))));
    const books = await Promise.all(Array.from({ length: MEMBERS * BOOKS_EACH }, () => newBook()));
    const loans = members.flatMap((member, m) =>
      books.slice(m * BOOKS_EACH, (m + 1) * BOOKS_EACH).map((book) => ({ member, bookNo: book.bookNo })),
    );

    // Up to six kills at random moments; each restarted worker gets a few seconds to start polling
    // (bundling the workflows takes ~2 s) before the next kill, so the sagas keep moving between kills.
    let kills = 0;
    let chaos = true;
    const killer = (async () => {
      while (chaos && kills < 6) {
        await new Promise((resolve) => setTimeout(resolve, 2_500 + Math.random() * 2_500));
        if (!chaos) break;
        await killProcess('worker', 'SIGKILL');
        kills++;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 1_000));
        await startProcess('worker');
      }
    })();

    try {
      const rentals = await Promise.all(loans.map((loan) => start('/rentals', loan.member.token, loan.bookNo)));
      const rented = await Promise.all(rentals.map((location, i) => settledSaga(location, 180_000, loans[i]!.member.token)));
      const returns = await Promise.all(loans.map((loan) => start('/returns', loan.member.token, loan.bookNo)));
      const returned = await Promise.all(returns.map((location, i) => settledSaga(location, 180_000, loans[i]!.member.token)));
      expect(rented.map((saga) => saga.status)).toEqual(Array(loans.length).fill('COMPLETED'));
      expect(returned.map((saga) => saga.status)).toEqual(Array(loans.length).fill('COMPLETED'));
    } finally {
      chaos = false;
      await killer;
    }
    expect(kills).toBeGreaterThanOrEqual(3);

    const memberIds = members.map((member) => member.memberId);
    const counts = await db.query(
      `SELECT (SELECT count(*) FROM rental.rental_item WHERE member_id = ANY($1::uuid[]))::int AS items,
              (SELECT count(*) FROM member.point_entry WHERE member_id = ANY($1::uuid[]))::int AS ledger,
              (SELECT count(*) FROM rental.outbox WHERE key = ANY($1::text[]) AND topic IN ('rental.item-rented.v1', 'rental.item-returned.v1'))::int AS events`,
      [memberIds],
    );
    // Exactly one loan, two ledger entries and two events (rented, returned) per rent: no duplicates.
    // (Slow loans may also go overdue on the test stack's 8 s loan period: item-overdue is not counted.)
    expect(counts.rows[0]).toEqual({ items: loans.length, ledger: loans.length * 2, events: loans.length * 2 });
    await expectInvariantsToHold({ memberIds, bookNos: books.map((book) => book.bookNo) });
    console.log(`worker-kill: ${loans.length * 2} sagas, ${kills} SIGKILLs, 0 duplicates`);
  }, 300_000);
});
