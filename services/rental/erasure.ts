import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { cardsRepo, itemsRepo } from './db/cards.ts';

/**
 * Erasure step 1 of histories recorded before the card was closed (erasure.workflow.ts keeps
 * them replaying): refuses a member who still holds books, without a lock.
 */
export async function checkErasable(db: Db, input: { memberId: string }): Promise<void> {
  const open = await itemsRepo.open(db, input.memberId);
  if (open.length > 0) throw new AppError('MEMBER_HOLDS_BOOKS', `member ${input.memberId} still holds ${open.length} book(s)`);
}

/**
 * Erasure step 1 (its pivot): closes the rental card under the lock addRentalItem
 * takes, so a rent and an erasure of one member are decided one after the other:
 * a rent whose item is on the card first (PENDING or RENTED) makes the erasure
 * refuse MEMBER_HOLDS_BOOKS; a rent that comes after finds the card closed and is
 * refused CARD_CLOSED. Idempotent; a member without a card (a signup undone) has
 * nothing to close.
 */
export async function closeCardForErasure(db: Db, input: { memberId: string }, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const card = await cardsRepo.lock(tx, input.memberId);
    if (!card || card.closedAt) return;
    const open = await itemsRepo.open(tx, input.memberId);
    if (open.length > 0) throw new AppError('MEMBER_HOLDS_BOOKS', `member ${input.memberId} still holds ${open.length} book(s)`);
    await cardsRepo.update(tx, input.memberId, { closedAt: now });
  });
}
