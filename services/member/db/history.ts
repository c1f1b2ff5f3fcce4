/** member's data access for the rental history read model: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

export interface RentedItem {
  rentalId: string;
  memberId: string;
  bookNo: number;
  title: string;
  rentedAt: Date;
}

export interface ReturnedItem {
  rentalId: string;
  memberId: string;
  bookNo: number;
  returnedAt: Date;
}

export const historyRepo = {
  /** Records the event id; false when it was applied before. Same transaction as the change. */
  markProcessed: async (tx: Tx, eventId: string): Promise<boolean> => {
    const { count } = await tx.memberProcessedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
    return count === 1;
  },
  /** Inserts the loan, or completes the placeholder a return left; never touches returnedAt. */
  recordRented: (tx: Tx, item: RentedItem) =>
    tx.rentalHistory.upsert({
      where: { rentalId: item.rentalId },
      create: item,
      update: { memberId: item.memberId, bookNo: item.bookNo, title: item.title, rentedAt: item.rentedAt },
    }),
  /**
   * Sets returnedAt. When the return is seen before the rent (the two topics are
   * not ordered relative to each other), a placeholder holds what is known:
   * no title yet and rentedAt = returnedAt, both filled in by the rent.
   */
  recordReturned: (tx: Tx, item: ReturnedItem) =>
    tx.rentalHistory.upsert({
      where: { rentalId: item.rentalId },
      create: { ...item, title: '', rentedAt: item.returnedAt },
      update: { returnedAt: item.returnedAt },
    }),
  forgetMember: (tx: Tx, memberId: string) => tx.rentalHistory.deleteMany({ where: { memberId } }),
  /** True once the member's profile was erased: late rental events must not bring the history back. */
  isErased: async (tx: Tx, memberId: string): Promise<boolean> =>
    (await tx.profile.findUnique({ where: { memberId }, select: { nickname: true } }))?.nickname === `erased-${memberId}`,
  findByMember: (db: Db, memberId: string) =>
    db.rentalHistory.findMany({
      where: { memberId },
      orderBy: [{ rentedAt: 'desc' }, { rentalId: 'asc' }],
      select: { bookNo: true, title: true, rentedAt: true, returnedAt: true },
    }),
  /** Empties the read model and its processed ids; processed_event first, as every handler writes it first. */
  truncate: (db: Db) => db.$executeRaw`TRUNCATE member.processed_event, member.rental_history`,
  countRows: (db: Db) => db.rentalHistory.count(),
};
