/** partner's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

export const summariesRepo = {
  /** Records the event id; false when it was applied before. Same transaction as the change. */
  markProcessed: async (tx: Tx, eventId: string): Promise<boolean> => {
    const { count } = await tx.partnerProcessedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
    return count === 1;
  },
  create: (tx: Tx, memberId: string, registeredAt: Date) =>
    tx.partnerSummary.upsert({ where: { memberId }, create: { memberId, registeredAt }, update: {} }),
  find: (db: Db, memberId: string) => db.partnerSummary.findUnique({ where: { memberId } }),
};
