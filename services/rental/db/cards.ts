/** rental's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { RentalCard, RentalItem } from '../../generated/prisma/client.ts';

export type { RentalCard, RentalItem };

export const cardsRepo = {
  open: (db: Db, memberId: string) => db.rentalCard.upsert({ where: { memberId }, create: { memberId }, update: {} }),
  close: (db: Db, memberId: string) => db.rentalCard.deleteMany({ where: { memberId } }),
  find: (db: Db | Tx, memberId: string) => db.rentalCard.findUnique({ where: { memberId } }),
  /** Reads the card and locks it: every decision about one member's loans is taken one at a time. */
  lock: async (tx: Tx, memberId: string): Promise<RentalCard | null> => {
    const locked = await tx.$queryRaw<{ member_id: string }[]>`SELECT member_id FROM rental.rental_card WHERE member_id = ${memberId}::uuid FOR UPDATE`;
    return locked.length ? tx.rentalCard.findUnique({ where: { memberId } }) : null;
  },
  update: (tx: Tx, memberId: string, changes: Partial<Pick<RentalCard, 'rentStatus' | 'lateFee' | 'closedAt'>>) =>
    tx.rentalCard.update({ where: { memberId }, data: changes }),
};

export const itemsRepo = {
  dueSoonPublished: async (tx: Tx, rentalId: string) =>
    (await tx.rentalOutbox.count({ where: { topic: 'rental.item-due-soon.v1', envelope: { path: ['payload', 'rentalId'], equals: rentalId } } })) > 0,
  find: (db: Db | Tx, rentalId: string) => db.rentalItem.findUnique({ where: { rentalId } }),
  findByReturn: (tx: Tx, returnId: string) => tx.rentalItem.findUnique({ where: { returnId } }),
  /** PENDING and RENTED items: what the member holds or is about to hold. */
  open: (db: Db | Tx, memberId: string) =>
    db.rentalItem.findMany({ where: { memberId, status: { in: ['PENDING', 'RENTED'] } }, orderBy: { rentedAt: 'asc' } }),
  all: (db: Db, memberId: string) => db.rentalItem.findMany({ where: { memberId }, orderBy: { rentedAt: 'asc' } }),
  insert: (tx: Tx, item: Pick<RentalItem, 'rentalId' | 'memberId' | 'bookNo' | 'rentedAt' | 'dueAt'>) =>
    tx.rentalItem.create({ data: { ...item, status: 'PENDING' } }),
  /**
   * Serialises the rent step and its undo for one rental id until commit. Without
   * it an undo could commit between the step's tombstone check and its insert,
   * and the insert would land after all.
   */
  lockRental: (tx: Tx, rentalId: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('rental-item'), hashtext(${rentalId}))`,
  deletePending: (tx: Tx, rentalId: string) => tx.rentalItem.deleteMany({ where: { rentalId, status: 'PENDING' } }),
  /** Leaves the undo's tombstone (rental.cancelled_rental); idempotent. */
  markCancelled: (tx: Tx, rentalId: string) => tx.cancelledRental.createMany({ data: [{ rentalId }], skipDuplicates: true }),
  isCancelled: async (tx: Tx, rentalId: string): Promise<boolean> => (await tx.cancelledRental.count({ where: { rentalId } })) > 0,
  confirm: (tx: Tx, rentalId: string) => tx.rentalItem.updateMany({ where: { rentalId, status: 'PENDING' }, data: { status: 'RENTED' } }),
  markOverdue: (tx: Tx, rentalId: string) =>
    tx.rentalItem.updateMany({ where: { rentalId, status: 'RENTED', overdue: false }, data: { overdue: true } }),
  markReturned: (tx: Tx, rentalId: string, changes: Pick<RentalItem, 'returnId' | 'returnedAt' | 'lateFee'>) =>
    tx.rentalItem.update({ where: { rentalId }, data: { ...changes, status: 'RETURNED' } }),
};

export const clearancesRepo = {
  find: (tx: Tx, clearanceId: string) => tx.clearance.findUnique({ where: { clearanceId } }),
  insert: (tx: Tx, clearance: { clearanceId: string; memberId: string; amount: number }) => tx.clearance.create({ data: clearance }),
};

export const settlementsRepo = {
  find: (tx: Tx, settlementId: string) => tx.feeSettlement.findUnique({ where: { settlementId } }),
  insert: (tx: Tx, settlement: { settlementId: string; memberId: string; amount: number; pointsPaid: number; reason: string }) =>
    tx.feeSettlement.create({ data: settlement }),
};
