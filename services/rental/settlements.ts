/**
 * rental's part of a fee settlement: an admin clears a late fee the member's
 * points cannot pay (paid at the desk, or waived), so no member stays suspended
 * for ever. README "Debts" states the rule.
 */
import { AppError } from '../platform/errors.ts';
import type { Db, Tx } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { cardsRepo, itemsRepo, settlementsRepo } from './db/cards.ts';
import { isOverdue } from './domain/rules.ts';

export interface Settlement {
  settlementId: string;
  memberId: string;
  /** The whole fee cleared. */
  amount: number;
  pointsPaid: number;
  reason: string;
}

/**
 * What can be settled: the card's unpaid fee. Refuses NO_RENTAL_CARD, NOTHING_TO_CLEAR
 * (no fee; a second settlement) and POINTS_EXCEED_FEE. The API asks it before starting
 * the saga (an immediate answer) and the saga's first step asks again.
 */
export async function assessFeeToSettle(db: Db | Tx, input: { memberId: string; points: number }): Promise<{ amount: number }> {
  const card = await cardsRepo.find(db, input.memberId);
  if (!card) throw new AppError('NO_RENTAL_CARD', `member ${input.memberId} has no rental card`);
  if (card.lateFee === 0) throw new AppError('NOTHING_TO_CLEAR', 'the card owes no late fee');
  if (input.points > card.lateFee)
    throw new AppError('POINTS_EXCEED_FEE', `${input.points} points exceed the late fee of ${card.lateFee}`, [
      { path: 'points', message: `at most ${card.lateFee}` },
    ]);
  return { amount: card.lateFee };
}

/**
 * The fee is cleared and fee-settled published, once per settlement. The card is
 * AVAILABLE again unless a fee added meanwhile or an overdue book still holds it.
 * Refuses NOTHING_TO_CLEAR when the fee was paid by another request meanwhile.
 */
export async function settleFee(db: Db, input: Settlement, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    if (await settlementsRepo.find(tx, input.settlementId)) return;
    const card = await cardsRepo.lock(tx, input.memberId);
    if (!card) throw new AppError('NO_RENTAL_CARD', `member ${input.memberId} has no rental card`);
    if (card.lateFee < input.amount) throw new AppError('NOTHING_TO_CLEAR', 'the fee was paid by another request');
    const lateFee = card.lateFee - input.amount;
    const overdueOut = (await itemsRepo.open(tx, input.memberId)).some((item) => item.status === 'RENTED' && isOverdue(item, now));
    await cardsRepo.update(tx, input.memberId, { lateFee, rentStatus: lateFee === 0 && !overdueOut ? 'AVAILABLE' : 'SUSPENDED' });
    await settlementsRepo.insert(tx, input);
    await appendToOutbox(tx, 'rental', [{ topic: 'rental.fee-settled.v1', aggregateId: input.memberId, payload: input }]);
  });
}
