/** book's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { Book, BookStatus } from '../../generated/prisma/client.ts';

export type { Book, BookStatus };

export const booksRepo = {
  insert: (tx: Tx, book: { title: string; author: string }) => tx.book.create({ data: book }),
  update: (tx: Tx, bookNo: number, changes: { title?: string; author?: string }) =>
    tx.book.update({ where: { bookNo }, data: changes }),
  find: (db: Db | Tx, bookNo: number) => db.book.findUnique({ where: { bookNo } }),
  list: (db: Db, status?: BookStatus) => db.book.findMany({ where: status ? { status } : {}, orderBy: { bookNo: 'asc' } }),
  /** AVAILABLE -> RENTED for this rental; 0 rows when the book is not available. */
  markRented: (db: Db, bookNo: number, rentalId: string) =>
    db.book.updateMany({ where: { bookNo, status: 'AVAILABLE' }, data: { status: 'RENTED', rentalId } }),
  /** RENTED -> AVAILABLE, only if this rental holds it (an undo never frees another member's loan). */
  markAvailable: (db: Db, bookNo: number, rentalId: string) =>
    db.book.updateMany({ where: { bookNo, rentalId }, data: { status: 'AVAILABLE', rentalId: null } }),
};
