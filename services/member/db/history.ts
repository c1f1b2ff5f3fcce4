/** member's data access for the rental history read model: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { ProcessedEventTable } from '../../platform/read-model-kit.ts';

/** Where member records the events its history applied (services/platform/read-model-kit.ts). */
export const MEMBER_PROCESSED: ProcessedEventTable = 'member.processed_event';

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

/** An erased member (profile.erased_at set): late rental events must not bring the history back. */
const NOT_ERASED = `NOT EXISTS (SELECT 1 FROM member.profile p WHERE p.member_id = e.member_id AND p.erased_at IS NOT NULL)`;

export const historyRepo = {
  /**
   * Inserts each loan, or completes the placeholder a return left; never
   * touches returnedAt. One statement: per rental the last event given, erased
   * members skipped, rows written in rental order (no crosswise waits).
   */
  recordRentedMany: (tx: Tx, items: RentedItem[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[]) WITH ORDINALITY
                    AS e(rental_id, member_id, book_no, title, rented_at, ord)),
            rows AS (SELECT DISTINCT ON (e.rental_id) e.* FROM e WHERE ${NOT_ERASED} ORDER BY e.rental_id, e.ord DESC)
       INSERT INTO member.rental_history (rental_id, member_id, book_no, title, rented_at)
       SELECT rental_id, member_id, book_no, title, rented_at FROM rows ORDER BY rental_id
       ON CONFLICT (rental_id) DO UPDATE SET member_id = EXCLUDED.member_id, book_no = EXCLUDED.book_no, title = EXCLUDED.title, rented_at = EXCLUDED.rented_at`,
      items.map((item) => item.rentalId),
      items.map((item) => item.memberId),
      items.map((item) => item.bookNo),
      items.map((item) => item.title),
      items.map((item) => item.rentedAt.toISOString()),
    ),
  /**
   * Sets returnedAt (see recordRentedMany). When the return is seen before the
   * rent (the two topics are not ordered relative to each other), a placeholder
   * holds what is known: no title yet and rentedAt = returnedAt, both filled in
   * by the rent.
   */
  recordReturnedMany: (tx: Tx, items: ReturnedItem[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::timestamptz[]) WITH ORDINALITY
                    AS e(rental_id, member_id, book_no, returned_at, ord)),
            rows AS (SELECT DISTINCT ON (e.rental_id) e.* FROM e WHERE ${NOT_ERASED} ORDER BY e.rental_id, e.ord DESC)
       INSERT INTO member.rental_history (rental_id, member_id, book_no, title, rented_at, returned_at)
       SELECT rental_id, member_id, book_no, '', returned_at, returned_at FROM rows ORDER BY rental_id
       ON CONFLICT (rental_id) DO UPDATE SET returned_at = EXCLUDED.returned_at`,
      items.map((item) => item.rentalId),
      items.map((item) => item.memberId),
      items.map((item) => item.bookNo),
      items.map((item) => item.returnedAt.toISOString()),
    ),
  forgetMembers: (tx: Tx, memberIds: string[]) => tx.rentalHistory.deleteMany({ where: { memberId: { in: memberIds } } }),
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
