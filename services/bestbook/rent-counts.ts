/** The best-book read model: how often each book was rented, built only from events. */
import type { BookChangedView } from '../contracts/book-changed.ts';
import type { TEnvelope } from '../contracts/events.ts';
import type { Db } from '../platform/db.ts';
import { applyOnce } from '../platform/read-model-kit.ts';
import { BESTBOOK_PROCESSED, rentCountsRepo } from './db/rent-counts.ts';

/** Consumer of rental.item-rented.v1: one more rent of the book per event, once (a batch of one partition in one transaction). */
export async function countBooksRented(db: Db, events: TEnvelope<'rental.item-rented.v1'>[]): Promise<void> {
  await applyOnce(db, BESTBOOK_PROCESSED, events, (tx, fresh) =>
    rentCountsRepo.countRents(
      tx,
      fresh.map((event) => ({ bookNo: event.payload.bookNo, title: event.payload.title })),
    ),
  );
}

export const countBookRented = (db: Db, event: TEnvelope<'rental.item-rented.v1'>) => countBooksRented(db, [event]);

/**
 * Consumer of book.book-changed (either version): the newest title wins whatever
 * order events arrive in (book and rental topics are not ordered relative to each
 * other); a withdrawn book leaves the best books for good.
 */
export async function recordBookTitlesBatch(db: Db, events: BookChangedView[]): Promise<void> {
  await applyOnce(db, BESTBOOK_PROCESSED, events, async (tx, fresh) => {
    await rentCountsRepo.applyTitles(
      tx,
      fresh.map((event) => ({ bookNo: event.payload.bookNo, title: event.payload.title, at: new Date(event.occurredAt) })),
    );
    await rentCountsRepo.markWithdrawn(
      tx,
      fresh.filter((event) => event.payload.change === 'WITHDRAWN').map((event) => event.payload.bookNo),
    );
  });
}

export const recordBookTitle = (db: Db, event: BookChangedView) => recordBookTitlesBatch(db, [event]);

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
