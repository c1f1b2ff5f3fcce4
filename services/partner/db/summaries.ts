/** partner's data access: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';
import type { ProcessedEventTable } from '../../platform/read-model-kit.ts';

/** Where partner records the events it applied (services/platform/read-model-kit.ts). */
export const PARTNER_PROCESSED: ProcessedEventTable = 'partner.processed_event';

/** A member not remembered as erased. */
const NOT_ERASED = `NOT EXISTS (SELECT 1 FROM partner.erased_member x WHERE x.member_id = e.member_id)`;

export const summariesRepo = {
  /**
   * Serialises the handlers of these members until commit, taking the locks in
   * order so batches never deadlock with each other. Without it an erasure
   * could commit between a rent's erased check and its insert, and the rent
   * would re-create the row the erasure just deleted.
   */
  lockMembers: (tx: Tx, memberIds: string[]) =>
    tx.$executeRawUnsafe(
      `SELECT pg_advisory_xact_lock(hashtext('partner-summary'), hashtext(m)) FROM (SELECT DISTINCT unnest($1::text[]) AS m) ms ORDER BY m`,
      memberIds,
    ),
  /**
   * Makes the members partners, keeping the counts applied before (erased
   * members skipped; per member the last registration given). registeredAt
   * comes from the event, so a rebuild repairs it.
   */
  registerMany: (tx: Tx, registrations: { memberId: string; registeredAt: Date }[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) WITH ORDINALITY AS e(member_id, registered_at, ord)),
            rows AS (SELECT DISTINCT ON (e.member_id) e.member_id, e.registered_at FROM e WHERE ${NOT_ERASED} ORDER BY e.member_id, e.ord DESC)
       INSERT INTO partner.partner_summary (member_id, registered_at, updated_at)
       SELECT member_id, registered_at, now() FROM rows ORDER BY member_id
       ON CONFLICT (member_id) DO UPDATE SET registered_at = EXCLUDED.registered_at, updated_at = now()`,
      registrations.map((registration) => registration.memberId),
      registrations.map((registration) => registration.registeredAt.toISOString()),
    ),
  /**
   * Counts rents or returns for any member (erased ones skipped), creating the
   * row on their first event; one statement per batch.
   */
  countMany: (tx: Tx, column: 'rent_count' | 'return_count', memberIds: string[]) =>
    tx.$executeRawUnsafe(
      `WITH e AS (SELECT unnest($1::uuid[]) AS member_id),
            counted AS (SELECT e.member_id, count(*)::int AS n FROM e WHERE ${NOT_ERASED} GROUP BY e.member_id)
       INSERT INTO partner.partner_summary (member_id, ${column}, updated_at)
       SELECT member_id, n, now() FROM counted ORDER BY member_id
       ON CONFLICT (member_id) DO UPDATE SET ${column} = partner_summary.${column} + EXCLUDED.${column}, updated_at = now()`,
      memberIds,
    ),
  find: (db: Db, memberId: string) => db.partnerSummary.findUnique({ where: { memberId } }),
  /** Deletes the members' rows and remembers the erasures (erasedAt from the event). */
  forget: async (tx: Tx, erasures: { memberId: string; erasedAt: Date }[]) => {
    await tx.partnerErasedMember.createMany({ data: erasures, skipDuplicates: true });
    await tx.partnerSummary.deleteMany({ where: { memberId: { in: erasures.map((erasure) => erasure.memberId) } } });
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
