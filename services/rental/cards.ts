/** rental's part of the signup saga. */
import type { Db } from '../platform/db.ts';
import { cardsRepo } from './db/cards.ts';

/** Opens the member's rental card. Idempotent: opening twice leaves one card. */
export async function openRentalCard(db: Db, input: { memberId: string }): Promise<void> {
  await cardsRepo.open(db, input.memberId);
}

/** Compensation: removes a card that no loan has touched yet. Idempotent. */
export async function closeRentalCard(db: Db, input: { memberId: string }): Promise<void> {
  await cardsRepo.close(db, input.memberId);
}
