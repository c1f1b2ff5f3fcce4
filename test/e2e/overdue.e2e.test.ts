/**
 * Overdue against the real dev server with shortened durations: the test
 * stack lends for 8 s and counts a fee day as 2 s (global-setup.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, stack } from '../support/api.ts';
import { card, clearOverdue, giveBack, me, newBook, newMember, rent } from '../support/library.ts';

const LOAN_MS = 8_000;
const FEE_DAY_MS = 2_000;
let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await db.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function suspendedCard(token: string) {
  return eventually(async () => {
    const current = await card(token);
    return current.rentStatus === 'SUSPENDED' ? current : undefined;
  }, LOAN_MS + 10_000);
}

describe('overdue loans', () => {
  it('suspend the card at the due date, charge the late fee on return, and clear with points', async () => {
    const member = await newMember();
    const [kept, quick, refused] = await Promise.all([newBook(), newBook(), newBook()]);
    const rented = await rent(member.token, kept.bookNo);
    expect(rented.status).toBe('COMPLETED');
    expect((await rent(member.token, quick.bookNo)).status).toBe('COMPLETED');
    expect((await giveBack(member.token, quick.bookNo)).status).toBe('COMPLETED'); // on time: no fee, 30 points now

    const suspended = await suspendedCard(member.token);
    expect(suspended.rented).toEqual([expect.objectContaining({ bookNo: kept.bookNo, overdue: true })]);
    const overdueEvents = await db.query(`SELECT 1 FROM rental.outbox WHERE topic = 'rental.item-overdue.v1' AND key = $1`, [
      member.memberId,
    ]);
    expect(overdueEvents.rowCount).toBe(1);

    const blocked = await rent(member.token, refused.bookNo);
    expect(blocked.status).toBe('COMPENSATED');
    expect(blocked.failure).toMatchObject({ step: 'addRentalItem', code: 'CARD_SUSPENDED' });

    const early = await clearOverdue(member.token);
    expect(early.status).toBe('COMPENSATED');
    expect(early.failure).toMatchObject({ step: 'assessLateFee', code: 'OVERDUE_BOOK_OUT' });

    await sleep(FEE_DAY_MS); // at least one whole fee day late
    const returned = await giveBack(member.token, kept.bookNo);
    expect(returned.status).toBe('COMPLETED');
    const fee = returned.returned.lateFee as number;
    expect(fee).toBeGreaterThanOrEqual(10);
    expect(fee % 10).toBe(0);
    const afterReturn = await card(member.token);
    expect(afterReturn).toMatchObject({ rentStatus: 'SUSPENDED', lateFee: fee, rented: [] });
    const pointsBefore = (await me(member.token)).points;
    expect(pointsBefore).toBe(40);

    if (fee > pointsBefore) return expect.fail(`fee ${fee} exceeds ${pointsBefore} points; the test timing is off`);
    const cleared = await clearOverdue(member.token);
    expect(cleared.status).toBe('COMPLETED');
    expect(cleared.paid).toEqual({ amount: fee });
    expect((await me(member.token)).points).toBe(pointsBefore - fee);
    expect(await card(member.token)).toMatchObject({ rentStatus: 'AVAILABLE', lateFee: 0 });
    const clearedEvents = await db.query(`SELECT envelope FROM rental.outbox WHERE topic = 'rental.overdue-cleared.v1' AND key = $1`, [
      member.memberId,
    ]);
    expect(clearedEvents.rows.map((row) => row.envelope.payload.amount)).toEqual([fee]);
    expect((await rent(member.token, refused.bookNo)).status).toBe('COMPLETED');
  });

  it('refuses to clear when the points do not cover the fee, and refunds nothing it did not take', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
    await suspendedCard(member.token);
    await sleep(3 * FEE_DAY_MS); // 10 points from the rent, 10 from the return, a fee of at least 30
    const returned = await giveBack(member.token, bookNo);
    expect(returned.returned.lateFee).toBeGreaterThan(20);
    const refused = await clearOverdue(member.token);
    expect(refused.status).toBe('COMPENSATED');
    expect(refused.failure).toMatchObject({ step: 'deductPoints', code: 'INSUFFICIENT_POINTS' });
    expect((await me(member.token)).points).toBe(20);
    expect((await card(member.token)).rentStatus).toBe('SUSPENDED');
  });
});
