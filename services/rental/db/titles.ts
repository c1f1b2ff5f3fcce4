/** rental's data access for its copy of book titles: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

export const titlesRepo = {
  /** Records the event id; false when it was applied before. Same transaction as the change. */
  markProcessed: async (tx: Tx, eventId: string): Promise<boolean> => {
    const { count } = await tx.rentalProcessedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
    return count === 1;
  },
  /** Stores the title unless a newer one is already there. */
  apply: async (tx: Tx, bookNo: number, title: string, changedAt: Date): Promise<void> => {
    const { count } = await tx.bookTitle.createMany({ data: [{ bookNo, title, changedAt }], skipDuplicates: true });
    if (count === 1) return;
    await tx.bookTitle.updateMany({ where: { bookNo, changedAt: { lt: changedAt } }, data: { title, changedAt } });
  },
  /** apply for many events in one statement, each event once: per book the newest title, kept only if newer than the stored one. */
  applyMany: (tx: Tx, titles: { eventId: string; bookNo: number; title: string; at: Date }[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT DISTINCT ON (event_id) * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS e(event_id, book_no, title, at, ord) ORDER BY event_id, ord),
            fresh AS (INSERT INTO rental.processed_event (event_id) SELECT event_id FROM e ON CONFLICT DO NOTHING RETURNING event_id),
            latest AS (SELECT DISTINCT ON (e.book_no) e.book_no, e.title, e.at FROM e JOIN fresh USING (event_id) ORDER BY e.book_no, e.at DESC, e.ord)
       INSERT INTO rental.book_title (book_no, title, changed_at) SELECT book_no, title, at FROM latest ORDER BY book_no
       ON CONFLICT (book_no) DO UPDATE SET title = EXCLUDED.title, changed_at = EXCLUDED.changed_at WHERE book_title.changed_at < EXCLUDED.changed_at`,
      titles.map((t) => t.eventId),
      titles.map((t) => t.bookNo),
      titles.map((t) => t.title),
      titles.map((t) => t.at.toISOString()),
    ),
  markWithdrawn: (tx: Tx, bookNo: number) => tx.bookTitle.updateMany({ where: { bookNo }, data: { withdrawn: true } }),
  find: (db: Db | Tx, bookNo: number) => db.bookTitle.findUnique({ where: { bookNo }, select: { withdrawn: true } }),
  findMany: (db: Db | Tx, bookNos: number[]) =>
    db.bookTitle.findMany({ where: { bookNo: { in: bookNos } }, select: { bookNo: true, title: true } }),
  /** Empties the cache and its processed ids; processed_event first, as every handler writes it first. */
  truncate: (db: Db) => db.$executeRaw`TRUNCATE rental.processed_event, rental.book_title`,
  countRows: (db: Db) => db.bookTitle.count(),
};
