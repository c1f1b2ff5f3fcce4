import { AppError } from '../platform/errors.ts';
import type { Db } from '../platform/db.ts';
import { itemsRepo } from './db/cards.ts';

/** Erasure step 1: a member who still holds books cannot be erased (the library would lose track of them). */
export async function checkErasable(db: Db, input: { memberId: string }): Promise<void> {
  const open = await itemsRepo.open(db, input.memberId);
  if (open.length > 0) throw new AppError('MEMBER_HOLDS_BOOKS', `member ${input.memberId} still holds ${open.length} book(s)`);
}
