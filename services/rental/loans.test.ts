/**
 * The rent step and its undo against the real database: an undo that runs
 * before a slow attempt of its step lands (Temporal timed the attempt out, the
 * saga compensated, the attempt was still running) must win.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkInvariants } from '../../scripts/check.ts';
import { uniqueBookNo } from '../../test/support/events.ts';
import { createDb, type Db } from '../platform/db.ts';
import { AppError } from '../platform/errors.ts';
import { openRentalCard } from './cards.ts';
import { MAX_ITEMS } from './domain/rules.ts';
import { addRentalItem, cancelRentalItem } from './loans.ts';

const rules = { loanPeriodMs: 14 * 24 * 3600 * 1000, feeDayMs: 24 * 3600 * 1000 };
let db: Db;

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 4);
});
afterAll(() => db.$disconnect());

async function newCard(): Promise<string> {
  const memberId = randomUUID();
  await openRentalCard(db, { memberId });
  return memberId;
}
const itemsOf = (memberId: string) => db.rentalItem.findMany({ where: { memberId }, select: { rentalId: true, status: true } });
const rentFor = (memberId: string, rentalId = randomUUID()) => ({ rentalId, memberId, bookNo: uniqueBookNo() });

describe('rental item and its undo', () => {
  it('refuses an add that lands after its cancel, and leaves the limit untouched', async () => {
    const memberId = await newCard();
    const late = rentFor(memberId);
    await cancelRentalItem(db, { rentalId: late.rentalId });
    await expect(addRentalItem(db, rules, late)).rejects.toMatchObject({ code: 'RENTAL_CANCELLED' });
    await expect(addRentalItem(db, rules, late)).rejects.toBeInstanceOf(AppError); // a retried attempt too
    expect(await itemsOf(memberId)).toEqual([]);
    // All five places on the card are still free.
    for (let index = 0; index < MAX_ITEMS; index++) await addRentalItem(db, rules, rentFor(memberId));
    await expect(addRentalItem(db, rules, rentFor(memberId))).rejects.toMatchObject({ code: 'RENTAL_LIMIT_REACHED' });
  });

  it('removes an item added before its cancel, and a repeated cancel or late add changes nothing', async () => {
    const memberId = await newCard();
    const rent = rentFor(memberId);
    await addRentalItem(db, rules, rent);
    expect(await itemsOf(memberId)).toEqual([{ rentalId: rent.rentalId, status: 'PENDING' }]);
    await cancelRentalItem(db, { rentalId: rent.rentalId });
    await cancelRentalItem(db, { rentalId: rent.rentalId });
    await expect(addRentalItem(db, rules, rent)).rejects.toMatchObject({ code: 'RENTAL_CANCELLED' });
    expect(await itemsOf(memberId)).toEqual([]);
  });

  it('waits for an add in flight, then removes what it added', async () => {
    const memberId = await newCard();
    const rent = rentFor(memberId);
    // Hold the card's lock, so the add stops half-way (as a slow attempt would).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const blocker = db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT member_id FROM rental.rental_card WHERE member_id = ${memberId}::uuid FOR UPDATE`;
        holding();
        await released;
      },
      { timeout: 30_000 },
    );
    await held;
    const adding = addRentalItem(db, rules, rent);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the add is waiting for the card now
    const cancelling = cancelRentalItem(db, { rentalId: rent.rentalId });
    await Promise.race([cancelling, new Promise((resolve) => setTimeout(resolve, 500))]);
    release();
    await blocker;
    await Promise.allSettled([adding]);
    await cancelling;
    expect(await itemsOf(memberId)).toEqual([]);
  });

  it('leaves a confirmed loan alone and no tombstone behind it', async () => {
    const memberId = await newCard();
    const rent = rentFor(memberId);
    await addRentalItem(db, rules, rent);
    // What confirmRentalItem does, without publishing an event about a made-up loan.
    await db.rentalItem.update({ where: { rentalId: rent.rentalId }, data: { status: 'RENTED' } });
    await cancelRentalItem(db, { rentalId: rent.rentalId });
    expect(await itemsOf(memberId)).toEqual([{ rentalId: rent.rentalId, status: 'RENTED' }]);
    await expect(addRentalItem(db, rules, rent)).resolves.toMatchObject({ dueAt: expect.any(String) });
  });

  it('is watched by the invariant checker: an item behind a tombstone is reported', async () => {
    const memberId = await newCard();
    const rent = rentFor(memberId);
    const cancelledRentsOf = async () =>
      (await checkInvariants(inject('stack').databaseUrl, { scope: { memberIds: [memberId] } })).filter(
        (v) => v.rule === 'cancelled rents stay cancelled',
      );
    await cancelRentalItem(db, { rentalId: rent.rentalId });
    await addRentalItem(db, rules, rent).catch(() => {});
    expect(await cancelledRentsOf()).toEqual([]);
    // What a late add did before tombstones existed.
    await db.rentalItem.create({ data: { ...rent, status: 'PENDING', rentedAt: new Date(), dueAt: new Date() } });
    try {
      expect(await cancelledRentsOf()).toEqual([expect.objectContaining({ memberId, subject: `loan ${rent.rentalId}` })]);
    } finally {
      await db.rentalItem.delete({ where: { rentalId: rent.rentalId } });
    }
  });
});
