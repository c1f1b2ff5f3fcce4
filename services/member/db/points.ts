/** member's point ledger: its own models only. */
import type { Db, Tx } from '../../platform/db.ts';

export const pointsRepo = {
  /**
   * addEntry and, when the entry is new, add: one statement (atomic on its own,
   * no interactive transaction). A key taken already changes nothing.
   */
  addEntryAndApply: async (db: Db, entry: { key: string; memberId: string; delta: number; reason: string }): Promise<void> => {
    await db.$executeRaw`
      WITH entry AS (
        INSERT INTO member.point_entry (key, member_id, delta, reason)
        VALUES (${entry.key}, ${entry.memberId}::uuid, ${entry.delta}::int, ${entry.reason})
        ON CONFLICT (key) DO NOTHING
        RETURNING member_id, delta
      )
      UPDATE member.profile AS profile SET points = profile.points + entry.delta FROM entry WHERE profile.member_id = entry.member_id`;
  },
  /** Adds the entry; false when an entry with this key exists already. */
  addEntry: async (tx: Tx, entry: { key: string; memberId: string; delta: number; reason: string }): Promise<boolean> =>
    (await tx.pointEntry.createMany({ data: [entry], skipDuplicates: true })).count === 1,
  findEntry: (tx: Tx, key: string) => tx.pointEntry.findUnique({ where: { key } }),
  zeroEntry: (tx: Tx, key: string, reason: string) => tx.pointEntry.update({ where: { key }, data: { delta: 0, reason } }),
  add: (tx: Tx, memberId: string, delta: number) => tx.profile.updateMany({ where: { memberId }, data: { points: { increment: delta } } }),
  /** Subtracts only when the balance covers it; 0 rows when it does not. */
  subtractIfCovered: (tx: Tx, memberId: string, amount: number) =>
    tx.profile.updateMany({ where: { memberId, points: { gte: amount } }, data: { points: { decrement: amount } } }),
};
