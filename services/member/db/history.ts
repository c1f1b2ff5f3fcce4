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
  /**
   * recordRented for many events in one statement, each event once, erased
   * members skipped; rows written in rental order (no crosswise waits).
   */
  recordRentedMany: (tx: Db | Tx, items: (RentedItem & { eventId: string })[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT DISTINCT ON (event_id) * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::timestamptz[]) WITH ORDINALITY
                    AS e(event_id, rental_id, member_id, book_no, title, rented_at, ord) ORDER BY event_id, ord),
            fresh AS (INSERT INTO member.processed_event (event_id) SELECT event_id FROM e ON CONFLICT DO NOTHING RETURNING event_id),
            rows AS (SELECT DISTINCT ON (e.rental_id) e.* FROM e JOIN fresh USING (event_id)
                     WHERE NOT EXISTS (SELECT 1 FROM member.profile p WHERE p.member_id = e.member_id AND p.nickname = 'erased-' || e.member_id::text)
                     ORDER BY e.rental_id, e.ord DESC)
       INSERT INTO member.rental_history (rental_id, member_id, book_no, title, rented_at)
       SELECT rental_id, member_id, book_no, title, rented_at FROM rows ORDER BY rental_id
       ON CONFLICT (rental_id) DO UPDATE SET member_id = EXCLUDED.member_id, book_no = EXCLUDED.book_no, title = EXCLUDED.title, rented_at = EXCLUDED.rented_at`,
      items.map((item) => item.eventId),
      items.map((item) => item.rentalId),
      items.map((item) => item.memberId),
      items.map((item) => item.bookNo),
      items.map((item) => item.title),
      items.map((item) => item.rentedAt.toISOString()),
    ),
  /** recordReturned for many events in one statement (see recordRentedMany). */
  recordReturnedMany: (tx: Db | Tx, items: (ReturnedItem & { eventId: string })[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT DISTINCT ON (event_id) * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::timestamptz[]) WITH ORDINALITY
                    AS e(event_id, rental_id, member_id, book_no, returned_at, ord) ORDER BY event_id, ord),
            fresh AS (INSERT INTO member.processed_event (event_id) SELECT event_id FROM e ON CONFLICT DO NOTHING RETURNING event_id),
            rows AS (SELECT DISTINCT ON (e.rental_id) e.* FROM e JOIN fresh USING (event_id)
                     WHERE NOT EXISTS (SELECT 1 FROM member.profile p WHERE p.member_id = e.member_id AND p.nickname = 'erased-' || e.member_id::text)
                     ORDER BY e.rental_id, e.ord DESC)
       INSERT INTO member.rental_history (rental_id, member_id, book_no, title, rented_at, returned_at)
       SELECT rental_id, member_id, book_no, '', returned_at, returned_at FROM rows ORDER BY rental_id
       ON CONFLICT (rental_id) DO UPDATE SET returned_at = EXCLUDED.returned_at`,
      items.map((item) => item.eventId),
      items.map((item) => item.rentalId),
      items.map((item) => item.memberId),
      items.map((item) => item.bookNo),
      items.map((item) => item.returnedAt.toISOString()),
    ),
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
