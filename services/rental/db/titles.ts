/** rental's data access for its copy of book titles: its own models only. */
import { readRow, type Db, type HotRead, type Tx } from '../../platform/db.ts';
import { type NewestWins, type ProcessedEventTable, upsertNewest } from '../../platform/read-model-kit.ts';

/** Where rental records the events it applied (services/platform/read-model-kit.ts). */
export const RENTAL_PROCESSED: ProcessedEventTable = 'rental.processed_event';

const TITLES: NewestWins<{ book_no: number; title: string; changed_at: Date }> = {
  table: 'rental.book_title',
  key: 'book_no',
  version: 'changed_at',
  columns: { book_no: 'int', title: 'text', changed_at: 'timestamptz' },
};

const RENTABILITY: HotRead = { name: 'rental-book-withdrawn', text: 'SELECT withdrawn FROM rental.book_title WHERE book_no = $1::int' };

export const titlesRepo = {
  /** Stores each book's title unless a newer one is already there. */
  applyMany: (tx: Tx, titles: { bookNo: number; title: string; at: Date }[]) =>
    upsertNewest(
      tx,
      TITLES,
      titles.map((t) => ({ book_no: t.bookNo, title: t.title, changed_at: t.at })),
    ),
  /** A withdrawal is only ever set, never unset: marking it again is harmless. */
  markWithdrawn: (tx: Tx, bookNos: number[]) =>
    bookNos.length === 0 ? Promise.resolve() : tx.bookTitle.updateMany({ where: { bookNo: { in: bookNos } }, data: { withdrawn: true } }),
  /** Whether rental knows the book and it was withdrawn: on every rent request, so through pg (a hot read). */
  find: (db: Db, bookNo: number) => readRow<{ withdrawn: boolean }>(db, RENTABILITY, [bookNo]),
  findMany: (db: Db | Tx, bookNos: number[]) =>
    db.bookTitle.findMany({ where: { bookNo: { in: bookNos } }, select: { bookNo: true, title: true } }),
  /** Empties the cache and its processed ids; processed_event first, as every handler writes it first. */
  truncate: (db: Db) => db.$executeRaw`TRUNCATE rental.processed_event, rental.book_title`,
  countRows: (db: Db) => db.bookTitle.count(),
};
