/** rental's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import { Prisma, type RentalCard, type RentalItem } from '../../generated/prisma/client.ts';

export type { RentalCard, RentalItem };

export const cardsRepo = {
  open: (db: Db, memberId: string) => db.rentalCard.upsert({ where: { memberId }, create: { memberId }, update: {} }),
  close: (db: Db, memberId: string) => db.rentalCard.deleteMany({ where: { memberId } }),
  find: (db: Db | Tx, memberId: string) => db.rentalCard.findUnique({ where: { memberId } }),
  /** Reads the card and locks it, in one statement: every decision about one member's loans is taken one at a time. */
  lock: async (tx: Tx, memberId: string): Promise<RentalCard | null> => {
    const locked = await tx.$queryRaw<RentalCard[]>`
      SELECT member_id AS "memberId", rent_status::text AS "rentStatus", late_fee AS "lateFee", created_at AS "createdAt", closed_at AS "closedAt"
      FROM rental.rental_card WHERE member_id = ${memberId}::uuid FOR UPDATE`;
    return locked[0] ?? null;
  },
  update: (tx: Tx, memberId: string, changes: Partial<Pick<RentalCard, 'rentStatus' | 'lateFee' | 'closedAt'>>) =>
    tx.rentalCard.update({ where: { memberId }, data: changes }),
};

/** rental_item's columns under the model's field names (raw statements on the hot path answer RentalItem). */
const ITEM_COLUMNS = Prisma.sql`i.rental_id AS "rentalId", i.member_id AS "memberId", i.book_no AS "bookNo", i.status::text AS status, i.rented_at AS "rentedAt",
  i.due_at AS "dueAt", i.overdue, i.return_id AS "returnId", i.returned_at AS "returnedAt", i.late_fee AS "lateFee"`;

export const itemsRepo = {
  dueSoonPublished: async (tx: Tx, rentalId: string) =>
    (await tx.rentalOutbox.count({
      where: { topic: 'rental.item-due-soon.v1', envelope: { path: ['payload', 'rentalId'], equals: rentalId } },
    })) > 0,
  find: (db: Db | Tx, rentalId: string) => db.rentalItem.findUnique({ where: { rentalId } }),
  /** The item, and whether the saga's undo left its tombstone (markCancelled), in one statement. */
  findWithTombstone: async (tx: Tx, rentalId: string): Promise<{ item: RentalItem | null; cancelled: boolean }> => {
    const rows = await tx.$queryRaw<(Partial<RentalItem> & { cancelled: boolean })[]>`
      SELECT ${ITEM_COLUMNS}, EXISTS (SELECT 1 FROM rental.cancelled_rental WHERE rental_id = ${rentalId}::uuid) AS cancelled
      FROM (SELECT 1) AS one LEFT JOIN rental.rental_item AS i ON i.rental_id = ${rentalId}::uuid`;
    const { cancelled, ...item } = rows[0]!;
    return { item: item.rentalId ? (item as RentalItem) : null, cancelled };
  },
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
  /** PENDING -> RENTED, answering the item it confirmed (null when it was not PENDING): one statement. */
  confirm: async (tx: Tx, rentalId: string): Promise<RentalItem | null> => {
    const rows = await tx.$queryRaw<RentalItem[]>`
      UPDATE rental.rental_item AS i SET status = 'RENTED' WHERE i.rental_id = ${rentalId}::uuid AND i.status = 'PENDING' RETURNING ${ITEM_COLUMNS}`;
    return rows[0] ?? null;
  },
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
