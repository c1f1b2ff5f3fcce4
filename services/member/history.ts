/** The member's rental history: a read model built from rental events. */
import type { TEnvelope } from '../contracts/events.ts';
import { BATCH_TRANSACTION, type Db } from '../platform/db.ts';
import { historyRepo } from './db/history.ts';

/**
 * Consumer of rental.item-rented.v1: adds the loan to the member's history, once per event.
 * The batch form's one statement with one event (atomic on its own: one round trip, no interactive transaction).
 */
export async function recordItemRented(db: Db, event: TEnvelope<'rental.item-rented.v1'>): Promise<void> {
  const { rentalId, memberId, bookNo, title, rentedAt } = event.payload;
  await historyRepo.recordRentedMany(db, [{ eventId: event.eventId, rentalId, memberId, bookNo, title, rentedAt: new Date(rentedAt) }]);
}

/** Consumer of rental.item-returned.v1: marks the loan returned, once per event (one statement, as recordItemRented). */
export async function recordItemReturned(db: Db, event: TEnvelope<'rental.item-returned.v1'>): Promise<void> {
  const { rentalId, memberId, bookNo, returnedAt } = event.payload;
  await historyRepo.recordReturnedMany(db, [{ eventId: event.eventId, rentalId, memberId, bookNo, returnedAt: new Date(returnedAt) }]);
}

/** recordItemRented for a batch of one partition, in one transaction (the rebuild's pace). */
export async function recordItemsRented(db: Db, events: TEnvelope<'rental.item-rented.v1'>[]): Promise<void> {
  await db.$transaction((tx) =>
    historyRepo.recordRentedMany(
      tx,
      events.map(({ eventId, payload: { rentalId, memberId, bookNo, title, rentedAt } }) => ({ eventId, rentalId, memberId, bookNo, title, rentedAt: new Date(rentedAt) })),
    ),
    BATCH_TRANSACTION,
  );
}

/** recordItemReturned for a batch of one partition, in one transaction. */
export async function recordItemsReturned(db: Db, events: TEnvelope<'rental.item-returned.v1'>[]): Promise<void> {
  await db.$transaction((tx) =>
    historyRepo.recordReturnedMany(
      tx,
      events.map(({ eventId, payload: { rentalId, memberId, bookNo, returnedAt } }) => ({ eventId, rentalId, memberId, bookNo, returnedAt: new Date(returnedAt) })),
    ),
    BATCH_TRANSACTION,
  );
}

/** Consumer of member.member-erased.v1: forgets the member's loans. */
export async function forgetErasedMember(db: Db, event: TEnvelope<'member.member-erased.v1'>): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await historyRepo.markProcessed(tx, event.eventId))) return;
    await historyRepo.forgetMember(tx, event.payload.memberId);
  });
}

/** The member's loans, newest first. */
export function findRentalHistory(db: Db, memberId: string) {
  return historyRepo.findByMember(db, memberId);
}

/** For the rebuild: empties the history and forgets which events it applied. */
export async function resetRentalHistory(db: Db): Promise<void> {
  await historyRepo.truncate(db);
}

export function countRentalHistoryRows(db: Db): Promise<number> {
  return historyRepo.countRows(db);
}
