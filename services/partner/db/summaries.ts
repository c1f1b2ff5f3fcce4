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
  /**
   * countRent / countReturn for many events in one transaction: locks the
   * members (in order, so batches never deadlock with each other), records the
   * events, skips erased members, adds the counts in one statement.
   */
  countMany: async (tx: Tx, column: 'rent_count' | 'return_count', events: { eventId: string; memberId: string }[]): Promise<void> => {
    const members = [...new Set(events.map((event) => event.memberId))].sort();
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('partner-summary'), hashtext(m)) FROM unnest($1::text[]) AS m ORDER BY m`, members);
    await tx.$executeRawUnsafe(
      `WITH e AS (SELECT DISTINCT ON (event_id) event_id, member_id FROM unnest($1::uuid[], $2::uuid[]) AS e(event_id, member_id)),
            fresh AS (INSERT INTO partner.processed_event (event_id) SELECT event_id FROM e ON CONFLICT DO NOTHING RETURNING event_id),
            counted AS (SELECT e.member_id, count(*)::int AS n FROM e JOIN fresh USING (event_id)
                        WHERE NOT EXISTS (SELECT 1 FROM partner.erased_member x WHERE x.member_id = e.member_id) GROUP BY e.member_id)
       INSERT INTO partner.partner_summary (member_id, ${column}, updated_at)
       SELECT member_id, n, now() FROM counted ORDER BY member_id
       ON CONFLICT (member_id) DO UPDATE SET ${column} = partner_summary.${column} + EXCLUDED.${column}, updated_at = now()`,
      events.map((event) => event.eventId),
      events.map((event) => event.memberId),
    );
  },
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
