/**
 * rental's copy of book titles, built from book.book-changed.v1, so a rent can
 * name the book without calling the book service.
 */
import type { TEnvelope } from '../contracts/events.ts';
import { BATCH_TRANSACTION, type Db, type Tx } from '../platform/db.ts';
import { titlesRepo } from './db/titles.ts';

/** Consumer of book.book-changed.v1: keeps the newest title whatever order events arrive in, once per event. */
export async function recordBookTitle(db: Db, event: TEnvelope<'book.book-changed.v1'>): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await titlesRepo.markProcessed(tx, event.eventId))) return;
    await titlesRepo.apply(tx, event.payload.bookNo, event.payload.title, new Date(event.occurredAt));
  });
}

/** recordBookTitle for a batch of one partition, in one transaction (the rebuild's pace). */
export async function recordBookTitles(db: Db, events: TEnvelope<'book.book-changed.v1'>[]): Promise<void> {
  await db.$transaction(
    (tx) => titlesRepo.applyMany(tx, events.map((event) => ({ eventId: event.eventId, bookNo: event.payload.bookNo, title: event.payload.title, at: new Date(event.occurredAt) }))),
    BATCH_TRANSACTION,
  );
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
