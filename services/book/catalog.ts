/** The catalog: admins add, edit and withdraw books; every change is announced with book.book-changed (v2 and v1). */
import { AppError } from '../platform/errors.ts';
import type { Db, Tx } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { booksRepo, type Book, type BookPage, type BookQuery } from './db/books.ts';
import { bookChangedEvents } from './events/book-changed.ts';

export async function addBook(db: Db, input: { title: string; author: string }): Promise<Book> {
  return db.$transaction(async (tx) => {
    const book = await booksRepo.insert(tx, input);
    await appendToOutbox(tx, 'book', bookChangedEvents(book, 'CREATED'));
    return book;
  });
}

async function lockedBook(tx: Tx, bookNo: number): Promise<Book> {
  const book = await booksRepo.lock(tx, bookNo);
  if (!book) throw new AppError('NOT_FOUND', `no book ${bookNo}`);
  return book;
}

export async function editBook(db: Db, bookNo: number, changes: { title?: string; author?: string }): Promise<Book> {
  return db.$transaction(async (tx) => {
    const current = await lockedBook(tx, bookNo);
    if (current.status === 'WITHDRAWN') throw new AppError('BOOK_WITHDRAWN', `book ${bookNo} was withdrawn`);
    const book = await booksRepo.update(tx, bookNo, changes);
    await appendToOutbox(tx, 'book', bookChangedEvents(book, 'UPDATED'));
    return book;
  });
}

/**
 * Takes a book out of the catalog for good. Refused while it is out on loan
 * (BOOK_RENTED) and when it is withdrawn already (BOOK_WITHDRAWN, nothing changes).
 * The row lock and markBookRented's conditional update keep a rent and a
 * withdrawal from both succeeding.
 */
export async function withdrawBook(db: Db, bookNo: number): Promise<Book> {
  return db.$transaction(async (tx) => {
    const current = await lockedBook(tx, bookNo);
    if (current.status === 'WITHDRAWN') throw new AppError('BOOK_WITHDRAWN', `book ${bookNo} was withdrawn already`);
    if (current.status === 'RENTED') throw new AppError('BOOK_RENTED', `book ${bookNo} is out on loan; it must come back first`);
    const book = await booksRepo.update(tx, bookNo, { status: 'WITHDRAWN' });
    await appendToOutbox(tx, 'book', bookChangedEvents(book, 'WITHDRAWN'));
    return book;
  });
}

export async function findBook(db: Db, bookNo: number): Promise<Book> {
  const book = await booksRepo.find(db, bookNo);
  if (!book) throw new AppError('NOT_FOUND', `no book ${bookNo}`);
  return book;
}

export function listBooks(db: Db, query: BookQuery): Promise<BookPage> {
  return booksRepo.page(db, query);
}
