/** bestbook's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

/** A title that came with a rent, not from the catalog: any book-changed event replaces it. */
export const PROVISIONAL_TITLE_AT = new Date(0);

export const rentCountsRepo = {
  /** Records the event id; false when it was applied before. Same transaction as the change. */
  markProcessed: async (tx: Tx, eventId: string): Promise<boolean> => {
    const { count } = await tx.bestbookProcessedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
    return count === 1;
  },
  /** One more rent; a new row takes the rent's title provisionally, an existing row keeps its title. */
  countRent: (tx: Tx, bookNo: number, title: string) =>
    tx.bookRentCount.upsert({
      where: { bookNo },
      create: { bookNo, title, rentCount: 1, titleAt: PROVISIONAL_TITLE_AT },
      update: { rentCount: { increment: 1 } },
    }),
  /**
   * countRent for many rents in one statement, each event once: the processed
   * ids and the counts together. A new row takes its first rent's title
   * provisionally, as countRent does. Rows are written in book order, so two
   * batches never wait on each other crosswise.
   */
  countRents: (tx: Db | Tx, rents: { eventId: string; bookNo: number; title: string }[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT DISTINCT ON (event_id) * FROM unnest($1::uuid[], $2::int[], $3::text[]) WITH ORDINALITY AS e(event_id, book_no, title, ord) ORDER BY event_id, ord),
            fresh AS (INSERT INTO bestbook.processed_event (event_id) SELECT event_id FROM e ON CONFLICT DO NOTHING RETURNING event_id),
            counted AS (SELECT e.book_no, (array_agg(e.title ORDER BY e.ord))[1] AS title, count(*)::int AS n FROM e JOIN fresh USING (event_id) GROUP BY e.book_no)
       INSERT INTO bestbook.book_rent_count (book_no, title, rent_count, title_at)
       SELECT book_no, title, n, $4::timestamptz FROM counted ORDER BY book_no
       ON CONFLICT (book_no) DO UPDATE SET rent_count = book_rent_count.rent_count + EXCLUDED.rent_count`,
      rents.map((rent) => rent.eventId),
      rents.map((rent) => rent.bookNo),
      rents.map((rent) => rent.title),
      PROVISIONAL_TITLE_AT.toISOString(),
    ),
  /** Sets the title unless a newer one is already stored; a new row starts at zero rents. */
  applyTitle: async (tx: Tx, bookNo: number, title: string, titleAt: Date): Promise<void> => {
    const { count } = await tx.bookRentCount.createMany({ data: [{ bookNo, title, rentCount: 0, titleAt }], skipDuplicates: true });
    if (count === 1) return;
    await tx.bookRentCount.updateMany({ where: { bookNo, titleAt: { lt: titleAt } }, data: { title, titleAt } });
  },
  /** applyTitle for many events in one statement (see countRents); a new row starts at zero rents. */
  applyTitles: (tx: Tx, titles: { eventId: string; bookNo: number; title: string; at: Date }[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT DISTINCT ON (event_id) * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS e(event_id, book_no, title, at, ord) ORDER BY event_id, ord),
            fresh AS (INSERT INTO bestbook.processed_event (event_id) SELECT event_id FROM e ON CONFLICT DO NOTHING RETURNING event_id),
            latest AS (SELECT DISTINCT ON (e.book_no) e.book_no, e.title, e.at FROM e JOIN fresh USING (event_id) ORDER BY e.book_no, e.at DESC, e.ord)
       INSERT INTO bestbook.book_rent_count (book_no, title, title_at, rent_count) SELECT book_no, title, at, 0 FROM latest ORDER BY book_no
       ON CONFLICT (book_no) DO UPDATE SET title = EXCLUDED.title, title_at = EXCLUDED.title_at WHERE book_rent_count.title_at < EXCLUDED.title_at`,
      titles.map((t) => t.eventId),
      titles.map((t) => t.bookNo),
      titles.map((t) => t.title),
      titles.map((t) => t.at.toISOString()),
    ),
  markWithdrawn: (tx: Tx, bookNo: number) => tx.bookRentCount.updateMany({ where: { bookNo }, data: { withdrawn: true } }),
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
