/**
 * rental's copy of book titles, built from book.book-changed (v2, and v1 upcast),
 * so a rent can name the book, and refuse one it never heard of or that was
 * withdrawn, without calling the book service.
 */
import type { BookChangedView } from '../contracts/book-changed.ts';
import { AppError } from '../platform/errors.ts';
import { BATCH_TRANSACTION, type Db, type Tx } from '../platform/db.ts';
import { titlesRepo } from './db/titles.ts';

/**
 * Consumer of book.book-changed (either version): keeps the newest title whatever
 * order events arrive in, and remembers a withdrawal for good; once per event.
 */
export async function recordBookTitle(db: Db, event: BookChangedView): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await titlesRepo.markProcessed(tx, event.eventId))) return;
    const { bookNo, title, change } = event.payload;
    await titlesRepo.apply(tx, bookNo, title, new Date(event.occurredAt));
    if (change === 'WITHDRAWN') await titlesRepo.markWithdrawn(tx, bookNo);
  });
}

/** recordBookTitle for a batch of one partition, in one transaction (the rebuild's pace). */
export async function recordBookTitles(db: Db, events: BookChangedView[]): Promise<void> {
  await db.$transaction(async (tx) => {
    await titlesRepo.applyMany(tx, events.map((event) => ({ eventId: event.eventId, bookNo: event.payload.bookNo, title: event.payload.title, at: new Date(event.occurredAt) })));
    // A withdrawal is only ever set, never unset: marking it again is harmless.
    for (const event of events) if (event.payload.change === 'WITHDRAWN') await titlesRepo.markWithdrawn(tx, event.payload.bookNo);
  }, BATCH_TRANSACTION);
}

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
