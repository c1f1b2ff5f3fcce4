/** The member's rental history: a read model built from rental events. */
import type { TEnvelope } from '../contracts/events.ts';
import type { Db } from '../platform/db.ts';
import { applyOnce } from '../platform/read-model-kit.ts';
import { MEMBER_PROCESSED, historyRepo } from './db/history.ts';

/** Consumer of rental.item-rented.v1: adds each loan to its member's history, once per event (a batch of one partition in one transaction). */
export async function recordItemsRented(db: Db, events: TEnvelope<'rental.item-rented.v1'>[]): Promise<void> {
  await applyOnce(db, MEMBER_PROCESSED, events, (tx, fresh) =>
    historyRepo.recordRentedMany(
      tx,
      fresh.map(({ payload: { rentalId, memberId, bookNo, title, rentedAt } }) => ({
        rentalId,
        memberId,
        bookNo,
        title,
        rentedAt: new Date(rentedAt),
      })),
    ),
  );
}

export const recordItemRented = (db: Db, event: TEnvelope<'rental.item-rented.v1'>) => recordItemsRented(db, [event]);

/** Consumer of rental.item-returned.v1: marks each loan returned, once per event. */
export async function recordItemsReturned(db: Db, events: TEnvelope<'rental.item-returned.v1'>[]): Promise<void> {
  await applyOnce(db, MEMBER_PROCESSED, events, (tx, fresh) =>
    historyRepo.recordReturnedMany(
      tx,
      fresh.map(({ payload: { rentalId, memberId, bookNo, returnedAt } }) => ({
        rentalId,
        memberId,
        bookNo,
        returnedAt: new Date(returnedAt),
      })),
    ),
  );
}

export const recordItemReturned = (db: Db, event: TEnvelope<'rental.item-returned.v1'>) => recordItemsReturned(db, [event]);

/** Consumer of member.member-erased.v1: forgets the members' loans. */
export async function forgetErasedMembers(db: Db, events: TEnvelope<'member.member-erased.v1'>[]): Promise<void> {
  await applyOnce(db, MEMBER_PROCESSED, events, (tx, fresh) =>
    historyRepo.forgetMembers(
      tx,
      fresh.map((event) => event.payload.memberId),
    ),
  );
}

export const forgetErasedMember = (db: Db, event: TEnvelope<'member.member-erased.v1'>) => forgetErasedMembers(db, [event]);

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
