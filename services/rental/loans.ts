/** rental's part of the rent and return sagas, and the overdue timer's effect. */
import { AppError } from '../platform/errors.ts';
import type { Db, Tx } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { cardsRepo, itemsRepo, type RentalCard } from './db/cards.ts';
import { dueDate, isOverdue, lateFee, refusalToRent, reminderDate, type LoanRules } from './domain/rules.ts';

async function lockedCard(tx: Tx, memberId: string): Promise<RentalCard> {
  const card = await cardsRepo.lock(tx, memberId);
  if (!card) throw new AppError('NO_RENTAL_CARD', `member ${memberId} has no rental card`);
  return card;
}

/**
 * Rent step 1: the card accepts the item (PENDING until the saga's pivot).
 * Idempotent by rental id; the card row lock serialises one member's rents,
 * so two concurrent rents cannot both pass the limit. Refuses with
 * RENTAL_CANCELLED when the saga's undo already ran: an attempt Temporal timed
 * out may still be running when the compensation comes, and its item would
 * otherwise hold a place on the card for ever.
 */
export async function addRentalItem(
  db: Db,
  rules: LoanRules,
  input: { rentalId: string; memberId: string; bookNo: number },
  now = new Date(),
): Promise<{ rentedAt: string; dueAt: string; remindAt?: string }> {
  const accepted = (item: { rentedAt: Date; dueAt: Date }) => {
    const remindAt = reminderDate(item.rentedAt, item.dueAt, rules);
    return {
      rentedAt: item.rentedAt.toISOString(),
      dueAt: item.dueAt.toISOString(),
      ...(remindAt ? { remindAt: remindAt.toISOString() } : {}),
    };
  };
  return db.$transaction(async (tx) => {
    await itemsRepo.lockRental(tx, input.rentalId);
    const { item: existing, cancelled } = await itemsRepo.findWithTombstone(tx, input.rentalId);
    if (existing) return accepted(existing);
    if (cancelled) {
      throw new AppError('RENTAL_CANCELLED', `rental ${input.rentalId} was undone before this attempt landed`);
    }
    const card = await lockedCard(tx, input.memberId);
    const refusal = refusalToRent(card, await itemsRepo.open(tx, input.memberId), input.bookNo);
    if (refusal) throw new AppError(refusal, `member ${input.memberId} cannot rent book ${input.bookNo}`);
    const item = await itemsRepo.insert(tx, { ...input, rentedAt: now, dueAt: dueDate(now, rules) });
    return accepted(item);
  });
}

/**
 * Undo of step 1: removes the item if the saga never passed its pivot, and
 * leaves a tombstone so that a step attempt landing later adds nothing (as
 * point entries do, services/member/points.ts). Idempotent.
 */
export async function cancelRentalItem(db: Db, input: { rentalId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    await itemsRepo.lockRental(tx, input.rentalId);
    const item = await itemsRepo.find(tx, input.rentalId);
    // Past the pivot the loan is real: nothing to undo, and a tombstone would contradict it.
    if (item && item.status !== 'PENDING') return;
    await itemsRepo.deletePending(tx, input.rentalId);
    await itemsRepo.markCancelled(tx, input.rentalId);
  });
}

/** The rent saga's pivot: the loan is real from here on, and item-rented is published once. */
export async function confirmRentalItem(db: Db, input: { rentalId: string; title: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const item = await itemsRepo.confirm(tx, input.rentalId);
    if (!item) return;
    await appendToOutbox(tx, 'rental', [
      {
        topic: 'rental.item-rented.v1',
        aggregateId: item.memberId,
        payload: {
          rentalId: item.rentalId,
          memberId: item.memberId,
          bookNo: item.bookNo,
          title: input.title,
          rentedAt: item.rentedAt.toISOString(),
          dueAt: item.dueAt.toISOString(),
        },
      },
    ]);
  });
}

/** The loan timer fired: if the book is still out, the card is suspended and item-overdue published. Idempotent. */
export async function markOverdue(db: Db, input: { rentalId: string }): Promise<{ overdue: boolean }> {
  return db.$transaction(async (tx) => {
    const item = await itemsRepo.find(tx, input.rentalId);
    if (item?.status !== 'RENTED') return { overdue: false };
    await lockedCard(tx, item.memberId);
    const { count } = await itemsRepo.markOverdue(tx, input.rentalId);
    if (count === 0) return { overdue: true };
    await cardsRepo.update(tx, item.memberId, { rentStatus: 'SUSPENDED' });
    await appendToOutbox(tx, 'rental', [
      {
        topic: 'rental.item-overdue.v1',
        aggregateId: item.memberId,
        payload: { rentalId: item.rentalId, memberId: item.memberId, bookNo: item.bookNo, dueAt: item.dueAt.toISOString() },
      },
    ]);
    return { overdue: true };
  });
}

/**
 * The loan timer's reminder time came: while the book is still out (and not
 * overdue yet), item-due-soon is published, once per loan (the rental lock and
 * the outbox row make a retried attempt a no-op).
 */
export async function remindDueSoon(db: Db, input: { rentalId: string }): Promise<{ reminded: boolean }> {
  return db.$transaction(async (tx) => {
    await itemsRepo.lockRental(tx, input.rentalId);
    const item = await itemsRepo.find(tx, input.rentalId);
    if (item?.status !== 'RENTED' || item.overdue) return { reminded: false };
    if (await itemsRepo.dueSoonPublished(tx, input.rentalId)) return { reminded: true };
    await appendToOutbox(tx, 'rental', [
      {
        topic: 'rental.item-due-soon.v1',
        aggregateId: item.memberId,
        payload: { rentalId: item.rentalId, memberId: item.memberId, bookNo: item.bookNo, dueAt: item.dueAt.toISOString() },
      },
    ]);
    return { reminded: true };
  });
}

/**
 * Return step 1 (and the return saga's pivot): the item is returned, its late
 * fee computed and added to the card. Idempotent by return id.
 */
export async function markItemReturned(
  db: Db,
  rules: LoanRules,
  input: { returnId: string; memberId: string; bookNo: number },
  now = new Date(),
): Promise<{ rentalId: string; lateFee: number }> {
  return db.$transaction(async (tx) => {
    const done = await itemsRepo.findByReturn(tx, input.returnId);
    if (done) return { rentalId: done.rentalId, lateFee: done.lateFee };
    const card = await lockedCard(tx, input.memberId);
    const open = await itemsRepo.open(tx, input.memberId);
    const item = open.find((candidate) => candidate.bookNo === input.bookNo && candidate.status === 'RENTED');
    if (!item) throw new AppError('NOT_RENTED', `member ${input.memberId} does not hold book ${input.bookNo}`);
    const fee = lateFee(item.dueAt, now, rules);
    await itemsRepo.markReturned(tx, item.rentalId, { returnId: input.returnId, returnedAt: now, lateFee: fee });
    const cardFee = card.lateFee + fee;
    const stillOverdue = open.some((other) => other.rentalId !== item.rentalId && other.status === 'RENTED' && isOverdue(other, now));
    // A card stays suspended while a fee is unpaid or another book is overdue.
    const rentStatus = cardFee > 0 || stillOverdue ? 'SUSPENDED' : 'AVAILABLE';
    await cardsRepo.update(tx, input.memberId, { lateFee: cardFee, rentStatus });
    await appendToOutbox(tx, 'rental', [
      {
        topic: 'rental.item-returned.v1',
        aggregateId: input.memberId,
        payload: { rentalId: item.rentalId, memberId: input.memberId, bookNo: item.bookNo, returnedAt: now.toISOString(), lateFee: fee },
      },
    ]);
    return { rentalId: item.rentalId, lateFee: fee };
  });
}
