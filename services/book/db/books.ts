/** book's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { Book, BookStatus } from '../../generated/prisma/client.ts';

export type { Book, BookStatus };

export interface BookQuery {
  /** Part of the title or the author, any case. */
  q?: string;
  status?: BookStatus;
  limit: number;
  /** Book numbers after this one (keyset: stable while books are added). */
  after?: number;
}

export interface BookPage {
  items: Book[];
  /** The last book number of this page when more may follow. */
  lastBookNo: number | null;
}

export const booksRepo = {
  insert: (tx: Tx, book: { title: string; author: string }) => tx.book.create({ data: book }),
  update: (tx: Tx, bookNo: number, changes: { title?: string; author?: string; status?: BookStatus }) =>
    tx.book.update({ where: { bookNo }, data: changes }),
  find: (db: Db | Tx, bookNo: number) => db.book.findUnique({ where: { bookNo } }),
  /** Reads the book and locks its row until commit. */
  lock: async (tx: Tx, bookNo: number): Promise<Book | null> => {
    const locked = await tx.$queryRaw<{ book_no: number }[]>`SELECT book_no FROM book.book WHERE book_no = ${bookNo} FOR UPDATE`;
    return locked.length ? tx.book.findUnique({ where: { bookNo } }) : null;
  },
  page: async (db: Db, query: BookQuery): Promise<BookPage> => {
    const text = query.q ? { contains: query.q, mode: 'insensitive' as const } : undefined;
    const items = await db.book.findMany({
      where: {
        ...(query.status ? { status: query.status } : {}),
        ...(query.after !== undefined ? { bookNo: { gt: query.after } } : {}),
        ...(text ? { OR: [{ title: text }, { author: text }] } : {}),
      },
      orderBy: { bookNo: 'asc' },
      take: query.limit + 1,
    });
    const more = items.length > query.limit;
    const page = more ? items.slice(0, query.limit) : items;
    return { items: page, lastBookNo: more ? page.at(-1)!.bookNo : null };
  },
  /** AVAILABLE -> RENTED for this rental, answering the title; null when the book is not available (one statement). */
  markRented: async (db: Db, bookNo: number, rentalId: string): Promise<{ title: string } | null> => {
    const rows = await db.$queryRaw<{ title: string }[]>`
      UPDATE book.book SET status = 'RENTED', rental_id = ${rentalId}::uuid, updated_at = now()
      WHERE book_no = ${bookNo} AND status = 'AVAILABLE' RETURNING title`;
    return rows[0] ?? null;
  },
  /** RENTED -> AVAILABLE, only if this rental holds it (an undo never frees another member's loan). */
  markAvailable: (db: Db, bookNo: number, rentalId: string) =>
    db.book.updateMany({ where: { bookNo, rentalId }, data: { status: 'AVAILABLE', rentalId: null } }),
};
