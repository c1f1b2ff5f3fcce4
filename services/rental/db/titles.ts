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
  markWithdrawn: (tx: Tx, bookNo: number) => tx.bookTitle.updateMany({ where: { bookNo }, data: { withdrawn: true } }),
  find: (db: Db | Tx, bookNo: number) => db.bookTitle.findUnique({ where: { bookNo }, select: { withdrawn: true } }),
  findMany: (db: Db | Tx, bookNos: number[]) =>
    db.bookTitle.findMany({ where: { bookNo: { in: bookNos } }, select: { bookNo: true, title: true } }),
  /** Empties the cache and its processed ids; processed_event first, as every handler writes it first. */
  truncate: (db: Db) => db.$executeRaw`TRUNCATE rental.processed_event, rental.book_title`,
  countRows: (db: Db) => db.bookTitle.count(),
};
