/**
 * book.book-changed in its two versions: every change is written to the outbox as
 * v2 and, for consumers that still read it, as v1 (dual publishing), in the same
 * transaction and with the same occurredAt.
 */
import type { NewEvent, TPayload } from '../../contracts/events.ts';
import type { Book } from '../db/books.ts';

export type BookChange = TPayload<'book.book-changed.v2'>['change'];

export function bookChangedEvents(book: Book, change: BookChange): [NewEvent<'book.book-changed.v2'>, NewEvent<'book.book-changed.v1'>] {
  const aggregateId = String(book.bookNo);
  const base = { bookNo: book.bookNo, title: book.title, author: book.author };
  return [
    { topic: 'book.book-changed.v2', aggregateId, payload: { ...base, change, status: book.status } },
    { topic: 'book.book-changed.v1', aggregateId, payload: base },
  ];
}
