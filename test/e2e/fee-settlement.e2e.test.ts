/**
 * Debts that can be settled, and returns on a member's behalf, with the test
 * stack's 8 s loans and 2 s fee days (global-setup.ts): a late fee larger than
 * the points is settled by an admin (points first, the rest at the desk or
 * waived), the reason kept in the ledger and published; settling twice is refused.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, settledSaga, stack } from '../support/api.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { asAdmin, card, clearOverdue, giveBack, me, newBook, newMember, rent } from '../support/library.ts';

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

async function settle(memberId: string, json: unknown, token?: string) {
  return api(`/members/${memberId}/fees/settle`, { method: 'POST', token: token ?? (await asAdmin()), json });
}

/** A member whose late fee (at least 30) exceeds their 20 points. */
async function memberInDebt() {
  const member = await newMember();
  const { bookNo } = await newBook();
  expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
  await eventually(async () => ((await card(member.token)).rentStatus === 'SUSPENDED' ? true : undefined), LOAN_MS + 30_000); // slack for a loaded machine
  await sleep(3 * FEE_DAY_MS);
  const returned = await giveBack(member.token, bookNo);
  expect(returned.returned.lateFee).toBeGreaterThan(20);
  const refused = await clearOverdue(member.token);
  expect(refused.failure).toMatchObject({ code: 'INSUFFICIENT_POINTS' });
  return { ...member, fee: returned.returned.lateFee as number, bookNo };
}

// Each test waits for a real overdue (8 s loan, fee days of 2 s): more than the default 60 s on a loaded machine.
const SLOW_MS = 150_000;

describe('settling a late fee larger than the points', () => {
  it(
    'takes the points offered, settles the rest at the desk, keeps the reason in the ledger and publishes it; the card is AVAILABLE again',
    async () => {
      const member = await memberInDebt();
      expect((await me(member.token)).points).toBe(20);

      const started = await settle(member.memberId, { reason: 'paid the rest at the desk', points: 20 }, undefined);
      expect(started.status).toBe(202);
      const saga = await settledSaga(started.headers.get('location')!, 60_000, await asAdmin());
      expect(saga).toMatchObject({ status: 'COMPLETED', settled: { amount: member.fee, pointsPaid: 20 } });
      // The member sees their own settlement too.
      expect((await api(started.headers.get('location')!, { token: member.token })).status).toBe(200);

      expect((await me(member.token)).points).toBe(0);
      expect(await card(member.token)).toMatchObject({ rentStatus: 'AVAILABLE', lateFee: 0 });
      const ledger = await db.query(`SELECT delta, reason FROM member.point_entry WHERE member_id = $1 AND key LIKE 'settle-fee-%'`, [
        member.memberId,
      ]);
      expect(ledger.rows).toEqual([{ delta: -20, reason: expect.stringContaining('paid the rest at the desk') }]);
      const events = await db.query(`SELECT envelope FROM rental.outbox WHERE topic = 'rental.fee-settled.v1' AND key = $1`, [
        member.memberId,
      ]);
      expect(events.rows.map((row) => row.envelope.payload)).toEqual([
        { settlementId: saga.id, memberId: member.memberId, amount: member.fee, pointsPaid: 20, reason: 'paid the rest at the desk' },
      ]);
      const { bookNo } = await newBook();
      expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');

      // Settling again: refused at once, nothing changes.
      const twice = await settle(member.memberId, { reason: 'waived' });
      expect(twice.status).toBe(409);
      expect(twice.body.error.code).toBe('NOTHING_TO_CLEAR');
      expect(
        (await db.query(`SELECT count(*)::int AS n FROM rental.fee_settlement WHERE member_id = $1`, [member.memberId])).rows[0].n,
      ).toBe(1);
      await expectInvariantsToHold({ memberIds: [member.memberId], bookNos: [bookNo, member.bookNo] });
    },
    SLOW_MS,
  );

  it(
    'waives a fee without points, and undoes the points when the balance does not cover what was offered',
    async () => {
      const member = await memberInDebt();
      const offered = await settle(member.memberId, { reason: 'take all of it from points', points: member.fee });
      expect(offered.status).toBe(202);
      const refused = await settledSaga(offered.headers.get('location')!, 60_000, await asAdmin());
      expect(refused).toMatchObject({ status: 'COMPENSATED', failure: { step: 'recordFeeSettlement', code: 'INSUFFICIENT_POINTS' } });
      expect((await me(member.token)).points).toBe(20);
      expect((await card(member.token)).lateFee).toBe(member.fee);

      const waived = await settle(member.memberId, { reason: 'waived: first offence' }, undefined);
      const saga = await settledSaga(waived.headers.get('location')!, 60_000, await asAdmin());
      expect(saga).toMatchObject({ status: 'COMPLETED', settled: { amount: member.fee, pointsPaid: 0 } });
      expect((await me(member.token)).points).toBe(20);
      expect(await card(member.token)).toMatchObject({ rentStatus: 'AVAILABLE', lateFee: 0 });
      const ledger = await db.query(
        `SELECT delta, reason FROM member.point_entry WHERE member_id = $1 AND key LIKE 'settle-fee-%' ORDER BY created_at`,
        [member.memberId],
      );
      expect(ledger.rows).toEqual([
        // The refused step wrote nothing; its undo left a tombstone so a late attempt of it finds its key taken.
        { delta: 0, reason: 'reversed before it was applied' },
        { delta: 0, reason: expect.stringContaining('waived: first offence') },
      ]);
      await expectInvariantsToHold({ memberIds: [member.memberId], bookNos: [member.bookNo] });
    },
    SLOW_MS,
  );

  it('refuses bad settlements at once with a clear code, and only an admin may settle', async () => {
    const member = await newMember();
    const nothing = await settle(member.memberId, { reason: 'nothing owed' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('NOTHING_TO_CLEAR');
    const stranger = await settle('00000000-0000-4000-8000-000000000000', { reason: 'nobody' });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('NO_RENTAL_CARD');
    for (const [json, path] of [
      [{}, 'reason'],
      [{ reason: ' ' }, 'reason'],
      [{ reason: 'paid\u0000' }, 'reason'],
      [{ reason: 'ok reason', points: -1 }, 'points'],
      [{ reason: 'ok reason', points: 1.5 }, 'points'],
      [{ reason: 'ok reason', extra: true }, ''],
    ] as const) {
      const answer = await settle(member.memberId, json);
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      if (path) expect(answer.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    }
    expect(
      (await api(`/members/not-a-uuid/fees/settle`, { method: 'POST', token: await asAdmin(), json: { reason: 'ok reason' } })).status,
    ).toBe(400);
    expect((await settle(member.memberId, { reason: 'self service' }, member.token)).status).toBe(403);
    expect((await api(`/members/${member.memberId}/fees/settle`, { method: 'POST', json: { reason: 'anyone' } })).status).toBe(401);
  });

  it(
    'refuses points beyond the fee (422 POINTS_EXCEED_FEE) before any saga',
    async () => {
      const member = await memberInDebt();
      const answer = await settle(member.memberId, { reason: 'too generous', points: member.fee + 10 });
      expect(answer.status).toBe(422);
      expect(answer.body.error).toMatchObject({ code: 'POINTS_EXCEED_FEE', details: [{ path: 'points' }] });
      expect((await card(member.token)).lateFee).toBe(member.fee);
    },
    SLOW_MS,
  );
});

describe("returning a book on a member's behalf", () => {
  it("runs the member's return saga for an admin; the member sees it; a member may not use it", async () => {
    const member = await newMember();
    const other = await newMember();
    const { bookNo } = await newBook();
    expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
    expect((await api(`/members/${member.memberId}/returns`, { method: 'POST', token: other.token, json: { bookNo } })).status).toBe(403);
    const started = await api(`/members/${member.memberId}/returns`, { method: 'POST', token: await asAdmin(), json: { bookNo } });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toMatch(/^\/returns\//);
    const saga = await settledSaga(started.headers.get('location')!, 60_000, await asAdmin());
    expect(saga).toMatchObject({ status: 'COMPLETED', returned: { lateFee: 0 } });
    expect((await api(started.headers.get('location')!, { token: member.token })).body.status).toBe('COMPLETED');
    expect((await api(started.headers.get('location')!, { token: other.token })).status).toBe(404);
    expect((await card(member.token)).rented).toEqual([]);
    expect((await api(`/books/${bookNo}`)).body.status).toBe('AVAILABLE');
    // Nothing rented: the saga refuses NOT_RENTED.
    const again = await api(`/members/${member.memberId}/returns`, { method: 'POST', token: await asAdmin(), json: { bookNo } });
    expect((await settledSaga(again.headers.get('location')!, 60_000, await asAdmin())).failure).toMatchObject({ code: 'NOT_RENTED' });
    const bad = await api(`/members/${member.memberId}/returns`, { method: 'POST', token: await asAdmin(), json: { bookNo: 'one' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('bookNo');
    await expectInvariantsToHold({ memberIds: [member.memberId], bookNos: [bookNo] });
  });
});
