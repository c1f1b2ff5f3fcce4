/**
 * member's part of a fee settlement: the points the member pays towards it, and
 * the settlement's reason, as one entry of the points ledger.
 */
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { pointsRepo } from './db/points.ts';

export interface FeeSettlementEntry {
  key: string;
  memberId: string;
  /** Points taken from the balance (0 when the whole fee is paid at the desk or waived). */
  points: number;
  /** The whole fee settled. */
  amount: number;
  reason: string;
}

/** The ledger line of a settlement; the invariant checker reads settlements by this prefix. */
export const SETTLEMENT_REASON_PREFIX = 'late fee settled';

/**
 * Debits the points (refusing INSUFFICIENT_POINTS when the balance does not cover
 * them) and writes the ledger entry with the reason, even for 0 points, so every
 * settlement is in the ledger. Idempotent by key; a key the undo took first does nothing.
 */
export async function recordFeeSettlement(db: Db, input: FeeSettlementEntry): Promise<void> {
  await db.$transaction(async (tx) => {
    if (await pointsRepo.findEntry(tx, input.key)) return;
    if (input.points > 0) {
      const { count } = await pointsRepo.subtractIfCovered(tx, input.memberId, input.points);
      if (count === 0) throw new AppError('INSUFFICIENT_POINTS', `${input.points} points exceed the balance`);
    }
    const reason = `${SETTLEMENT_REASON_PREFIX} (${input.amount}, ${input.points} from points): ${input.reason}`;
    await pointsRepo.addEntry(tx, { key: input.key, memberId: input.memberId, delta: -input.points, reason });
  });
}

/**
 * Undo: refunds the points and marks the entry reversed (its 0-point version too,
 * so the ledger never shows a settlement that did not happen). Leaves a tombstone
 * when the step never landed. Idempotent.
 */
export async function reverseFeeSettlement(db: Db, input: { key: string; memberId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const entry = await pointsRepo.findEntry(tx, input.key);
    if (!entry) {
      await pointsRepo.addEntry(tx, { key: input.key, memberId: input.memberId, delta: 0, reason: 'reversed before it was applied' });
      return;
    }
    if (entry.reason.startsWith('reversed')) return;
    await pointsRepo.zeroEntry(tx, input.key, `reversed: ${entry.reason}`);
    if (entry.delta !== 0) await pointsRepo.add(tx, entry.memberId, -entry.delta);
  });
}
