/** notifications' data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { Notice } from '../../generated/prisma/client.ts';
import type { NoticeDelivery, NoticeKind } from '../../generated/prisma/enums.ts';

export type { Notice, NoticeKind };
export type NewNotice = Pick<Notice, 'id' | 'key' | 'memberId' | 'kind' | 'bookNo' | 'dueAt' | 'lateFee' | 'amount'>;

export const noticesRepo = {
  /** Records the notice once: a redelivered or re-emitted event finds its key taken. */
  insertOnce: (db: Db, notice: NewNotice) => db.notice.createMany({ data: [notice], skipDuplicates: true }),
  /** The notice, locked, while its mail is still to be sent; null once it went (or had no address). */
  lockPending: async (tx: Tx, key: string): Promise<Pick<Notice, 'id'> | null> => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM notifications.notice WHERE key = ${key} AND delivery = 'PENDING' FOR UPDATE`;
    return rows[0] ?? null;
  },
  findByKey: (db: Db | Tx, key: string) => db.notice.findUnique({ where: { key } }),
  markDelivered: (tx: Tx, key: string, delivery: NoticeDelivery, at: Date) =>
    tx.notice.update({ where: { key }, data: { delivery, sentAt: delivery === 'SENT' ? at : null } }),
  ofMember: (db: Db, memberId: string, limit: number) =>
    db.notice.findMany({ where: { memberId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit }),
  isErased: async (db: Db, memberId: string) => (await db.notificationsErasedMember.count({ where: { memberId } })) > 0,
  forget: (db: Db, memberId: string, at: Date) =>
    db.$transaction([
      db.notificationsErasedMember.upsert({ where: { memberId }, create: { memberId, erasedAt: at }, update: {} }),
      db.notice.deleteMany({ where: { memberId } }),
    ]),
};
