/** The catalog: admins add and edit books; every change is announced with book.book-changed.v1. */
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { booksRepo, type Book, type BookStatus } from './db/books.ts';

function changedEvent(book: Book) {
  return { topic: 'book.book-changed.v1' as const, aggregateId: String(book.bookNo), payload: { bookNo: book.bookNo, title: book.title, author: book.author } };
}

export async function addBook(db: Db, input: { title: string; author: string }): Promise<Book> {
  return db.$transaction(async (tx) => {
    const book = await booksRepo.insert(tx, input);
    await appendToOutbox(tx, 'book', [changedEvent(book)]);
    return book;
  });
}

export async function editBook(db: Db, bookNo: number, changes: { title?: string; author?: string }): Promise<Book> {
  return db.$transaction(async (tx) => {
    if (!(await booksRepo.find(tx, bookNo))) throw new AppError('NOT_FOUND', `no book ${bookNo}`);
    const book = await booksRepo.update(tx, bookNo, changes);
    await appendToOutbox(tx, 'book', [changedEvent(book)]);
    return book;
  });
}

export async function findBook(db: Db, bookNo: number): Promise<Book> {
  const book = await booksRepo.find(db, bookNo);
  if (!book) throw new AppError('NOT_FOUND', `no book ${bookNo}`);
  return book;
}

export function listBooks(db: Db, status?: BookStatus): Promise<Book[]> {
  return booksRepo.list(db, status);
}
