/** partner's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

export const summariesRepo = {
  /** Records the event id; false when it was applied before. Same transaction as the change. */
  markProcessed: async (tx: Tx, eventId: string): Promise<boolean> => {
    const { count } = await tx.partnerProcessedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
    return count === 1;
  },
  /** registeredAt is taken from the event on replay too, so a rebuild repairs it. */
  create: (tx: Tx, memberId: string, registeredAt: Date) =>
    tx.partnerSummary.upsert({ where: { memberId }, create: { memberId, registeredAt }, update: { registeredAt } }),
  /** Counts only for members with a summary (partners); updates nothing for anyone else. */
  countRent: (tx: Tx, memberId: string) => tx.partnerSummary.updateMany({ where: { memberId }, data: { rentCount: { increment: 1 } } }),
  countReturn: (tx: Tx, memberId: string) =>
    tx.partnerSummary.updateMany({ where: { memberId }, data: { returnCount: { increment: 1 } } }),
  find: (db: Db, memberId: string) => db.partnerSummary.findUnique({ where: { memberId } }),
  remove: (tx: Tx, memberId: string) => tx.partnerSummary.deleteMany({ where: { memberId } }),
  /**
   * Zeroes every counter and forgets every applied event, atomically. TRUNCATE
   * holds processed_event exclusively until commit: a handler that already
   * recorded an event finishes first (and is zeroed), one that starts now waits
   * (and counts after the zeroing). The summaries themselves stay.
   */
  resetCounters: (db: Db) =>
    db.$transaction(async (tx) => {
      await tx.$executeRaw`TRUNCATE partner.processed_event`;
      await tx.partnerSummary.updateMany({ data: { rentCount: 0, returnCount: 0 } });
    }),
  countRows: (db: Db) => db.partnerSummary.count(),
};
