/**
 * rental's copy of book titles, built from book.book-changed (v2, and v1 upcast),
 * so a rent can name the book, and refuse one it never heard of or that was
 * withdrawn, without calling the book service.
 */
import type { BookChangedView } from '../contracts/book-changed.ts';
import { AppError } from '../platform/errors.ts';
import type { Db, Tx } from '../platform/db.ts';
import { applyOnce } from '../platform/read-model-kit.ts';
import { RENTAL_PROCESSED, titlesRepo } from './db/titles.ts';

/**
 * Consumer of book.book-changed (either version): keeps the newest title whatever
 * order events arrive in, and remembers a withdrawal for good; once per event
 * (a batch of one partition in one transaction).
 */
export async function recordBookTitles(db: Db, events: BookChangedView[]): Promise<void> {
  await applyOnce(db, RENTAL_PROCESSED, events, async (tx, fresh) => {
    await titlesRepo.applyMany(
      tx,
      fresh.map((event) => ({ bookNo: event.payload.bookNo, title: event.payload.title, at: new Date(event.occurredAt) })),
    );
    await titlesRepo.markWithdrawn(
      tx,
      fresh.filter((event) => event.payload.change === 'WITHDRAWN').map((event) => event.payload.bookNo),
    );
  });
}

export const recordBookTitle = (db: Db, event: BookChangedView) => recordBookTitles(db, [event]);

/**
 * What rental can refuse before a rent saga starts, from its own copy of the
 * catalog: a book it never heard of (BOOK_NOT_FOUND) or one withdrawn (BOOK_WITHDRAWN).
 * The book service still decides in the saga (markBookRented) for everything else.
 */
export async function refuseUnrentableBook(db: Db, bookNo: number): Promise<void> {
  const row = await titlesRepo.find(db, bookNo);
  if (!row) throw new AppError('BOOK_NOT_FOUND', `no book ${bookNo}`);
  if (row.withdrawn) throw new AppError('BOOK_WITHDRAWN', `book ${bookNo} was withdrawn from the catalog`);
}

/** Titles of the given books; a book whose book-changed event has not arrived yet is absent from the map. */
export async function findTitles(db: Db | Tx, bookNos: number[]): Promise<Map<number, string>> {
  if (bookNos.length === 0) return new Map();
  const rows = await titlesRepo.findMany(db, [...new Set(bookNos)]);
  return new Map(rows.map((row) => [row.bookNo, row.title]));
}

/** The book's title, or undefined while its book-changed event has not arrived. */
export async function findTitle(db: Db | Tx, bookNo: number): Promise<string | undefined> {
  return (await findTitles(db, [bookNo])).get(bookNo);
}

/** For the rebuild: empties the cache and forgets which events it applied. */
export async function resetBookTitles(db: Db): Promise<void> {
  await titlesRepo.truncate(db);
}

export function countBookTitleRows(db: Db): Promise<number> {
  return titlesRepo.countRows(db);
}
