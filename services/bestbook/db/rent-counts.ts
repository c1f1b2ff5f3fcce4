/** bestbook's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import { type NewestWins, type ProcessedEventTable, upsertNewest } from '../../platform/read-model-kit.ts';

/** A title that came with a rent, not from the catalog: any book-changed event replaces it. */
export const PROVISIONAL_TITLE_AT = new Date(0);

/** Where bestbook records the events it applied (services/platform/read-model-kit.ts). */
export const BESTBOOK_PROCESSED: ProcessedEventTable = 'bestbook.processed_event';

/** Titles, newest first; a new row starts at zero rents (the column's default). */
const TITLES: NewestWins<{ book_no: number; title: string; title_at: Date }> = {
  table: 'bestbook.book_rent_count',
  key: 'book_no',
  version: 'title_at',
  columns: { book_no: 'int', title: 'text', title_at: 'timestamptz' },
};

export const rentCountsRepo = {
  /**
   * Counts rents, in one statement. A new row takes its first rent's title
   * provisionally; an existing row keeps its title. Rows are written in book
   * order, so two batches never wait on each other crosswise.
   */
  countRents: (tx: Tx, rents: { bookNo: number; title: string }[]) =>
    tx.$executeRawUnsafe(
      `WITH counted AS (SELECT book_no, (array_agg(title ORDER BY ord))[1] AS title, count(*)::int AS n
                        FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS e(book_no, title, ord) GROUP BY book_no)
       INSERT INTO bestbook.book_rent_count (book_no, title, rent_count, title_at)
       SELECT book_no, title, n, $3::timestamptz FROM counted ORDER BY book_no
       ON CONFLICT (book_no) DO UPDATE SET rent_count = book_rent_count.rent_count + EXCLUDED.rent_count`,
      rents.map((rent) => rent.bookNo),
      rents.map((rent) => rent.title),
      PROVISIONAL_TITLE_AT.toISOString(),
    ),
  /** Sets each book's title unless a newer one is stored. */
  applyTitles: (tx: Tx, titles: { bookNo: number; title: string; at: Date }[]) =>
    upsertNewest(
      tx,
      TITLES,
      titles.map((t) => ({ book_no: t.bookNo, title: t.title, title_at: t.at })),
    ),
  /** A withdrawal is only ever set, never unset: marking it again is harmless. */
  markWithdrawn: (tx: Tx, bookNos: number[]) =>
    bookNos.length === 0
      ? Promise.resolve()
      : tx.bookRentCount.updateMany({ where: { bookNo: { in: bookNos } }, data: { withdrawn: true } }),
  findMostRented: (db: Db, limit: number) =>
    db.bookRentCount.findMany({
      where: { rentCount: { gt: 0 }, withdrawn: false },
      orderBy: [{ rentCount: 'desc' }, { bookNo: 'asc' }],
      take: limit,
      select: { bookNo: true, title: true, rentCount: true },
    }),
  /**
   * Empties the read model and its processed ids. TRUNCATE locks processed_event
   * first, the table every handler writes first, so it waits for a running
   * handler instead of deadlocking with it, and none can slip in between.
   */
  truncate: (db: Db) => db.$executeRaw`TRUNCATE bestbook.processed_event, bestbook.book_rent_count`,
  countRows: (db: Db) => db.bookRentCount.count(),
};
