import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envelope, uniqueBookNo } from '../../test/support/events.ts';
import { createDb, type Db } from '../platform/db.ts';
import { countPartnerRent, countPartnerReturn, findPartnerSummary, forgetErasedPartner, recordPartnerRegistered } from './summaries.ts';

let db: Db;

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
});
afterAll(() => db.$disconnect());

const registered = (memberId: string) => envelope('member.partner-registered.v1', { memberId, registeredAt: '2026-01-01T00:00:00.000Z' });
const erased = (memberId: string) => envelope('member.member-erased.v1', { memberId, erasedAt: '2026-02-01T00:00:00.000Z' });
const rented = (memberId: string) => {
  const rentalId = randomUUID();
  const bookNo = uniqueBookNo();
  const now = new Date().toISOString();
  return {
    rented: envelope('rental.item-rented.v1', { rentalId, memberId, bookNo, title: 'T', rentedAt: now, dueAt: now }),
    returned: envelope('rental.item-returned.v1', { rentalId, memberId, bookNo, returnedAt: now, lateFee: 0 }),
  };
};
/** Whatever the read model holds about the member, visible or not. */
const anyRow = (memberId: string) => db.partnerSummary.findUnique({ where: { memberId } });

describe('partner summary counters', () => {
  it("counts a partner's rents and returns once per event", async () => {
    const memberId = randomUUID();
    await recordPartnerRegistered(db, registered(memberId));
    const first = rented(memberId);
    const second = rented(memberId);
    for (const event of [first.rented, first.rented, second.rented]) await countPartnerRent(db, event);
    for (const event of [first.returned, first.returned]) await countPartnerReturn(db, event);
    expect(await findPartnerSummary(db, memberId)).toMatchObject({ memberId, rentCount: 2, returnCount: 1 });
  });

  it('counts the rents and returns applied before the registration (the topics are not ordered)', async () => {
    const memberId = randomUUID();
    const first = rented(memberId);
    const second = rented(memberId);
    await countPartnerRent(db, first.rented);
    await countPartnerReturn(db, first.returned);
    await countPartnerReturn(db, second.returned); // a return seen even before its rent
    expect(await findPartnerSummary(db, memberId)).toBeNull(); // not a partner (yet)
    await recordPartnerRegistered(db, registered(memberId));
    await countPartnerRent(db, second.rented);
    await recordPartnerRegistered(db, registered(memberId)); // a redelivery keeps the counts
    expect(await findPartnerSummary(db, memberId)).toMatchObject({
      memberId,
      registeredAt: new Date('2026-01-01T00:00:00.000Z'),
      rentCount: 2,
      returnCount: 2,
    });
  });

  it('shows nothing for a member who is not a partner, yet records the events', async () => {
    const memberId = randomUUID();
    const loan = rented(memberId);
    await countPartnerRent(db, loan.rented);
    await countPartnerReturn(db, loan.returned);
    expect(await findPartnerSummary(db, memberId)).toBeNull();
    const processed = await db.partnerProcessedEvent.count({ where: { eventId: { in: [loan.rented.eventId, loan.returned.eventId] } } });
    expect(processed).toBe(2);
  });

  it('forgets an erased member, and late events bring nothing back', async () => {
    const memberId = randomUUID();
    const early = rented(memberId);
    const late = rented(memberId);
    await recordPartnerRegistered(db, registered(memberId));
    await countPartnerRent(db, early.rented);
    await forgetErasedPartner(db, erased(memberId));
    expect(await anyRow(memberId)).toBeNull();
    // Lag, a rebuild or a redrive from the DLQ can deliver these after the erasure.
    await countPartnerReturn(db, early.returned);
    await countPartnerRent(db, late.rented);
    await countPartnerReturn(db, late.returned);
    await recordPartnerRegistered(db, registered(memberId));
    expect(await anyRow(memberId)).toBeNull();
  });

  it('forgets a member erased before any of their events arrived', async () => {
    const memberId = randomUUID();
    const loan = rented(memberId);
    await forgetErasedPartner(db, erased(memberId));
    await countPartnerRent(db, loan.rented);
    await recordPartnerRegistered(db, registered(memberId));
    expect(await anyRow(memberId)).toBeNull();
  });

  it('lets an erasure wait for a rent in flight, so the rent cannot re-create the row after it', async () => {
    const memberId = randomUUID();
    const loan = rented(memberId);
    // An uncommitted insert of the member's row stops the rent's own insert half-way (as a slow handler would).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const blocker = db
      .$transaction(
        async (tx) => {
          await tx.partnerSummary.create({ data: { memberId } });
          holding();
          await released;
          throw new Error('roll back');
        },
        { timeout: 30_000 },
      )
      .catch(() => {});
    await held;
    const counting = countPartnerRent(db, loan.rented);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the rent waits on the uncommitted row now
    const forgetting = forgetErasedPartner(db, erased(memberId));
    await Promise.race([forgetting, new Promise((resolve) => setTimeout(resolve, 500))]);
    release();
    await blocker;
    await Promise.all([counting, forgetting]);
    expect(await anyRow(memberId)).toBeNull();
  });
});
