import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envelope, uniqueBookNo } from '../../test/support/events.ts';
import { createDb, type Db } from '../platform/db.ts';
import { countPartnerRent, countPartnerReturn, findPartnerSummary, recordPartnerRegistered } from './summaries.ts';

let db: Db;

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
});
afterAll(() => db.$disconnect());

const registered = (memberId: string) =>
  envelope('member.partner-registered.v1', { memberId, registeredAt: '2026-01-01T00:00:00.000Z' });
const rented = (memberId: string) => {
  const rentalId = randomUUID();
  const bookNo = uniqueBookNo();
  const now = new Date().toISOString();
  return {
    rented: envelope('rental.item-rented.v1', { rentalId, memberId, bookNo, title: 'T', rentedAt: now, dueAt: now }),
    returned: envelope('rental.item-returned.v1', { rentalId, memberId, bookNo, returnedAt: now, lateFee: 0 }),
  };
};

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

  it('creates nothing for a member who is not a partner, yet records the events', async () => {
    const memberId = randomUUID();
    const loan = rented(memberId);
    await countPartnerRent(db, loan.rented);
    await countPartnerReturn(db, loan.returned);
    expect(await findPartnerSummary(db, memberId)).toBeNull();
    const processed = await db.partnerProcessedEvent.count({ where: { eventId: { in: [loan.rented.eventId, loan.returned.eventId] } } });
    expect(processed).toBe(2);
  });
});
