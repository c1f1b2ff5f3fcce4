/** partner's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

export const summariesRepo = {
  /** Records the event id; false when it was applied before. Same transaction as the change. */
  markProcessed: async (tx: Tx, eventId: string): Promise<boolean> => {
    const { count } = await tx.partnerProcessedEvent.createMany({ data: [{ eventId }], skipDuplicates: true });
    return count === 1;
  },
  /**
   * Serialises the handlers of one member until commit. Without it an erasure
   * could commit between a rent's erased check and its insert, and the rent
   * would re-create the row the erasure just deleted.
   */
  lockMember: (tx: Tx, memberId: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('partner-summary'), hashtext(${memberId}))`,
  isErased: async (tx: Tx, memberId: string): Promise<boolean> => (await tx.partnerErasedMember.count({ where: { memberId } })) > 0,
  /** Makes the member a partner, keeping the counts applied before. registeredAt comes from the event, so a rebuild repairs it. */
  register: (tx: Tx, memberId: string, registeredAt: Date) =>
    tx.partnerSummary.upsert({ where: { memberId }, create: { memberId, registeredAt }, update: { registeredAt } }),
  /** Counts for any member, creating the row on their first event (a single INSERT … ON CONFLICT). */
  countRent: (tx: Tx, memberId: string) =>
    tx.partnerSummary.upsert({ where: { memberId }, create: { memberId, rentCount: 1 }, update: { rentCount: { increment: 1 } } }),
  countReturn: (tx: Tx, memberId: string) =>
    tx.partnerSummary.upsert({ where: { memberId }, create: { memberId, returnCount: 1 }, update: { returnCount: { increment: 1 } } }),
  find: (db: Db, memberId: string) => db.partnerSummary.findUnique({ where: { memberId } }),
  /** Deletes the member's row and remembers the erasure (erasedAt from the event). */
  forget: async (tx: Tx, memberId: string, erasedAt: Date) => {
    await tx.partnerErasedMember.createMany({ data: [{ memberId, erasedAt }], skipDuplicates: true });
    await tx.partnerSummary.deleteMany({ where: { memberId } });
  },
  /**
   * Zeroes every counter and forgets every applied event, atomically. TRUNCATE
   * holds processed_event exclusively until commit: a handler that already
   * recorded an event finishes first (and is zeroed), one that starts now waits
   * (and counts after the zeroing). The rows and their registrations stay, and
   * so do the erasures (never retracted: keeping them is never wrong).
   */
  resetCounters: (db: Db) =>
    db.$transaction(async (tx) => {
      await tx.$executeRaw`TRUNCATE partner.processed_event`;
      await tx.partnerSummary.updateMany({ data: { rentCount: 0, returnCount: 0 } });
    }),
  /** Every row, partners' and those waiting for a registration. */
  countRows: (db: Db) => db.partnerSummary.count(),
};
