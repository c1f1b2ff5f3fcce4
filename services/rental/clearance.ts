/** rental's part of the clear-overdue saga. */
import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { cardsRepo, clearancesRepo, itemsRepo } from './db/cards.ts';
import { isOverdue } from './domain/rules.ts';

async function refuseWhileOverdueOut(db: Parameters<typeof itemsRepo.open>[0], memberId: string, now: Date): Promise<void> {
  const open = await itemsRepo.open(db, memberId);
  if (open.some((item) => item.status === 'RENTED' && isOverdue(item, now))) {
    throw new AppError('OVERDUE_BOOK_OUT', 'return the overdue books first');
  }
}

/** Clear step 1: how much there is to pay. Refuses while an overdue book is out, or when nothing is owed. */
export async function assessLateFee(db: Db, input: { memberId: string }, now = new Date()): Promise<{ amount: number }> {
  const card = await cardsRepo.find(db, input.memberId);
  if (!card) throw new AppError('NO_RENTAL_CARD', `member ${input.memberId} has no rental card`);
  await refuseWhileOverdueOut(db, input.memberId, now);
  if (card.rentStatus === 'AVAILABLE' && card.lateFee === 0) throw new AppError('NOTHING_TO_CLEAR', 'the card owes nothing');
  return { amount: card.lateFee };
}

/** Clear step 3: the fee is paid and the card AVAILABLE again; overdue-cleared is published once. */
export async function liftSuspension(
  db: Db,
  input: { clearanceId: string; memberId: string; amount: number },
  now = new Date(),
): Promise<void> {
  await db.$transaction(async (tx) => {
    if (await clearancesRepo.find(tx, input.clearanceId)) return;
    const card = await cardsRepo.lock(tx, input.memberId);
    if (!card) throw new AppError('NO_RENTAL_CARD', `member ${input.memberId} has no rental card`);
    await refuseWhileOverdueOut(tx, input.memberId, now);
    if (card.lateFee < input.amount) throw new AppError('NOTHING_TO_CLEAR', 'the fee was paid by another request');
    await cardsRepo.update(tx, input.memberId, { lateFee: card.lateFee - input.amount, rentStatus: 'AVAILABLE' });
    await clearancesRepo.insert(tx, input);
    await appendToOutbox(tx, 'rental', [{ topic: 'rental.overdue-cleared.v1', aggregateId: input.memberId, payload: input }]);
  });
}
