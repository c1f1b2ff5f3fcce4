/** notifications' data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { Notice } from '../../generated/prisma/client.ts';
import type { NoticeDelivery, NoticeKind } from '../../generated/prisma/enums.ts';

export type { Notice, NoticeKind };
export type NewNotice = Pick<Notice, 'id' | 'key' | 'memberId' | 'kind' | 'bookNo' | 'dueAt' | 'lateFee' | 'amount'>;

export const noticesRepo = {
  /**
   * Records the notice once (a redelivered or re-emitted event finds its key
   * taken), unless the member was erased: then nothing is recorded. One
   * statement, one round trip: a notice goes out per rent and per return.
   */
  insertOnceUnlessErased: async (db: Db, notice: NewNotice): Promise<{ erased: boolean }> => {
    const rows = await db.$queryRaw<{ erased: boolean }[]>`
      WITH erased AS (SELECT EXISTS (SELECT 1 FROM notifications.erased_member WHERE member_id = ${notice.memberId}::uuid) AS erased),
      inserted AS (
        INSERT INTO notifications.notice (id, key, member_id, kind, book_no, due_at, late_fee, amount)
        SELECT ${notice.id}::uuid, ${notice.key}, ${notice.memberId}::uuid, ${notice.kind}::notifications."NoticeKind",
               ${notice.bookNo}::int, ${notice.dueAt}::timestamptz, ${notice.lateFee}::int, ${notice.amount}::int
        WHERE NOT (SELECT erased FROM erased)
        ON CONFLICT (key) DO NOTHING
        RETURNING 1
      )
      SELECT erased FROM erased`;
    return { erased: rows[0]?.erased === true };
  },
  /** The notice, locked, while its mail is still to be sent; null once it went (or had no address). */
  lockPending: async (tx: Tx, key: string): Promise<Notice | null> => {
    const rows = await tx.$queryRaw<Notice[]>`
      SELECT id, key, member_id AS "memberId", kind::text AS kind, book_no AS "bookNo", due_at AS "dueAt", late_fee AS "lateFee",
             amount, delivery::text AS delivery, created_at AS "createdAt", sent_at AS "sentAt"
      FROM notifications.notice WHERE key = ${key} AND delivery = 'PENDING' FOR UPDATE`;
    return rows[0] ?? null;
  },
  markDelivered: (tx: Tx, key: string, delivery: NoticeDelivery, at: Date) =>
    tx.notice.update({ where: { key }, data: { delivery, sentAt: delivery === 'SENT' ? at : null } }),
  ofMember: (db: Db, memberId: string, limit: number) =>
    db.notice.findMany({ where: { memberId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit }),
  forget: (db: Db, memberId: string, at: Date) =>
    db.$transaction([
      db.notificationsErasedMember.upsert({ where: { memberId }, create: { memberId, erasedAt: at }, update: {} }),
      db.notice.deleteMany({ where: { memberId } }),
    ]),
};
