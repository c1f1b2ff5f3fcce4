/** book's part of the rent and return sagas. */
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { booksRepo } from './db/books.ts';

/**
 * AVAILABLE -> RENTED for this rental; answers the title (the catalog is its
 * source of truth). Idempotent; refuses a book that is not available.
 */
export async function markBookRented(db: Db, input: { bookNo: number; rentalId: string }): Promise<{ title: string }> {
  const rented = await booksRepo.markRented(db, input.bookNo, input.rentalId);
  if (rented) return rented;
  const book = await booksRepo.find(db, input.bookNo);
  if (!book) throw new AppError('BOOK_NOT_FOUND', `no book ${input.bookNo}`);
  // Ours now, or already ours from an earlier attempt of this step.
  if (book.rentalId === input.rentalId) return { title: book.title };
  if (book.status === 'WITHDRAWN') throw new AppError('BOOK_WITHDRAWN', `book ${input.bookNo} was withdrawn from the catalog`);
  throw new AppError('BOOK_NOT_AVAILABLE', `book ${input.bookNo} is ${book.status.toLowerCase()}`);
}

/** Frees the book if this rental holds it: the return step and the rent saga's undo. Idempotent. */
export async function markBookAvailable(db: Db, input: { bookNo: number; rentalId: string }): Promise<void> {
  await booksRepo.markAvailable(db, input.bookNo, input.rentalId);
}
