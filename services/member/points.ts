/**
 * Points, kept as a ledger keyed by saga and step (`<workflowId>:<step>`):
 * the balance changes only when an entry is added or removed, in the same
 * transaction, so a retried step or undo never counts twice.
 */
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { pointsRepo } from './db/points.ts';

export interface PointsChange {
  key: string;
  memberId: string;
  points: number;
  reason: string;
}

export async function awardPoints(db: Db, input: PointsChange): Promise<void> {
  // The entry and the balance in one statement: a retried step finds its key taken and adds nothing.
  await pointsRepo.addEntryAndApply(db, { key: input.key, memberId: input.memberId, delta: input.points, reason: input.reason });
}

/** Debits the points, refusing with INSUFFICIENT_POINTS when the balance does not cover them. */
export async function deductPoints(db: Db, input: PointsChange): Promise<void> {
  await db.$transaction(async (tx) => {
    if (await pointsRepo.findEntry(tx, input.key)) return;
    const { count } = await pointsRepo.subtractIfCovered(tx, input.memberId, input.points);
    if (count === 0) throw new AppError('INSUFFICIENT_POINTS', `the late fee of ${input.points} points exceeds the balance`);
    await pointsRepo.addEntry(tx, { key: input.key, memberId: input.memberId, delta: -input.points, reason: input.reason });
  });
}

/**
 * Undo of an award or a deduction: zeroes the entry and takes back its effect.
 * The zeroed entry stays as a tombstone, so a step that lands after its undo
 * (a timed-out attempt still running somewhere) finds its key taken and does
 * nothing. Idempotent.
 */
export async function reversePoints(db: Db, input: { key: string; memberId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const entry = await pointsRepo.findEntry(tx, input.key);
    if (!entry) {
      await pointsRepo.addEntry(tx, { key: input.key, memberId: input.memberId, delta: 0, reason: 'reversed before it was applied' });
      return;
    }
    if (entry.delta === 0) return;
    await pointsRepo.zeroEntry(tx, input.key, `reversed: ${entry.reason}`);
    await pointsRepo.add(tx, entry.memberId, -entry.delta);
  });
}
