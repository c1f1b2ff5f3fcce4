import type { TEnvelope } from '../contracts/events.ts';
import type { Db } from '../platform/db.ts';
import { summariesRepo } from './db/summaries.ts';

/** Consumer of member.partner-registered.v1: creates the partner's summary once per event. */
export async function recordPartnerRegistered(db: Db, event: TEnvelope<'member.partner-registered.v1'>): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await summariesRepo.markProcessed(tx, event.eventId))) return;
    await summariesRepo.create(tx, event.payload.memberId, new Date(event.payload.registeredAt));
  });
}

/**
 * Consumer of rental.item-rented.v1: one more rent on a partner's summary. A
 * member without a summary is not a partner; the event is still recorded so a
 * redelivery stays a no-op.
 */
export async function countPartnerRent(db: Db, event: TEnvelope<'rental.item-rented.v1'>): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await summariesRepo.markProcessed(tx, event.eventId))) return;
    await summariesRepo.countRent(tx, event.payload.memberId);
  });
}

/** Consumer of rental.item-returned.v1: one more return on a partner's summary (see countPartnerRent). */
export async function countPartnerReturn(db: Db, event: TEnvelope<'rental.item-returned.v1'>): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await summariesRepo.markProcessed(tx, event.eventId))) return;
    await summariesRepo.countReturn(tx, event.payload.memberId);
  });
}

/** Consumer of member.member-erased.v1: an erased partner's summary is deleted. */
export async function forgetErasedPartner(db: Db, event: TEnvelope<'member.member-erased.v1'>): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!(await summariesRepo.markProcessed(tx, event.eventId))) return;
    await summariesRepo.remove(tx, event.payload.memberId);
  });
}

export function findPartnerSummary(db: Db, memberId: string) {
  return summariesRepo.find(db, memberId);
}

/**
 * For the rebuild: zeroes the counters and forgets the applied events, but
 * keeps the summaries. A summary is only ever created by partner-registered,
 * which is never retracted, so keeping it is never wrong; deleting it would
 * make a live consumer drop that partner's rents until the replay re-created it.
 */
export async function resetPartnerCounters(db: Db): Promise<void> {
  await summariesRepo.resetCounters(db);
}

export function countPartnerSummaryRows(db: Db): Promise<number> {
  return summariesRepo.countRows(db);
}
