/** member's point ledger: its own models only. */
import type { Tx } from '../../platform/db.ts';

export const pointsRepo = {
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
