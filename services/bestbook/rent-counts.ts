/** The best-book read model: how often each book was rented, built only from events. */
import type { BookChangedView } from '../contracts/book-changed.ts';
import type { TEnvelope } from '../contracts/events.ts';
import { BATCH_TRANSACTION, type Db } from '../platform/db.ts';
import { rentCountsRepo } from './db/rent-counts.ts';

/**
 * Consumer of rental.item-rented.v1: one more rent of the book, once per event.
 * The batch form's one statement with one event (atomic on its own: one round trip, no interactive transaction).
 */
export async function countBookRented(db: Db, event: TEnvelope<'rental.item-rented.v1'>): Promise<void> {
  await rentCountsRepo.countRents(db, [{ eventId: event.eventId, bookNo: event.payload.bookNo, title: event.payload.title }]);
}

/** countBookRented for a batch of one partition, in one transaction (the rebuild's pace). */
export async function countBooksRented(db: Db, events: TEnvelope<'rental.item-rented.v1'>[]): Promise<void> {
  await db.$transaction((tx) => rentCountsRepo.countRents(tx, events.map((event) => ({ eventId: event.eventId, bookNo: event.payload.bookNo, title: event.payload.title }))), BATCH_TRANSACTION);
}

/**
 * Consumer of book.book-changed (either version): the newest title wins whatever
 * order events arrive in (book and rental topics are not ordered relative to each
 * other); a withdrawn book leaves the best books for good.
 */
export async function recordBookTitle(db: Db, event: BookChangedView): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await rentCountsRepo.markProcessed(tx, event.eventId))) return;
    await rentCountsRepo.applyTitle(tx, event.payload.bookNo, event.payload.title, new Date(event.occurredAt));
    if (event.payload.change === 'WITHDRAWN') await rentCountsRepo.markWithdrawn(tx, event.payload.bookNo);
  });
}

/** recordBookTitle for a batch of one partition, in one transaction. */
export async function recordBookTitlesBatch(db: Db, events: BookChangedView[]): Promise<void> {
  await db.$transaction(async (tx) => {
    await rentCountsRepo.applyTitles(tx, events.map((event) => ({ eventId: event.eventId, bookNo: event.payload.bookNo, title: event.payload.title, at: new Date(event.occurredAt) })));
    // A withdrawal is only ever set, never unset: marking it again is harmless.
    for (const event of events) if (event.payload.change === 'WITHDRAWN') await rentCountsRepo.markWithdrawn(tx, event.payload.bookNo);
  }, BATCH_TRANSACTION);
}

/** The most rented books, most rents first (ties by book number); never-rented books are left out. */
export function findBestBooks(db: Db, limit: number) {
  return rentCountsRepo.findMostRented(db, limit);
}

/** For the rebuild: empties the read model and forgets which events it applied. */
export async function resetRentCounts(db: Db): Promise<void> {
  await rentCountsRepo.truncate(db);
}

export function countRentCountRows(db: Db): Promise<number> {
  return rentCountsRepo.countRows(db);
}
