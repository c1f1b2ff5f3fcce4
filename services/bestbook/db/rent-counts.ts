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
  /** Sets the title unless a newer one is already stored; a new row starts at zero rents. */
  applyTitle: async (tx: Tx, bookNo: number, title: string, titleAt: Date): Promise<void> => {
    const { count } = await tx.bookRentCount.createMany({ data: [{ bookNo, title, rentCount: 0, titleAt }], skipDuplicates: true });
    if (count === 1) return;
    await tx.bookRentCount.updateMany({ where: { bookNo, titleAt: { lt: titleAt } }, data: { title, titleAt } });
  },
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
