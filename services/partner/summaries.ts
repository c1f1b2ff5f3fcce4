/**
 * The partner summary: a read model of each partner's rents and returns. The
 * registration and the rental events arrive on topics that are not ordered
 * relative to each other, so every member's rents and returns are counted, and
 * the registration only makes the row visible: the counts come out the same
 * whatever the order. Erased members are remembered (ids only) and their late
 * events ignored.
 */
import type { TEnvelope } from '../contracts/events.ts';
import { BATCH_TRANSACTION, type Db, type Tx } from '../platform/db.ts';
import { summariesRepo } from './db/summaries.ts';

/** Runs the change once per event, for a member not erased, one handler per member at a time. */
function applyOnce(db: Db, eventId: string, memberId: string, change: (tx: Tx) => Promise<unknown>): Promise<void> {
  return db.$transaction(async (tx) => {
    if (!(await summariesRepo.markProcessed(tx, eventId))) return;
    await summariesRepo.lockMember(tx, memberId);
    if (await summariesRepo.isErased(tx, memberId)) return;
    await change(tx);
  });
}

/** Consumer of member.partner-registered.v1: the member becomes a partner, with the counts applied so far. */
export function recordPartnerRegistered(db: Db, event: TEnvelope<'member.partner-registered.v1'>): Promise<void> {
  const { memberId, registeredAt } = event.payload;
  return applyOnce(db, event.eventId, memberId, (tx) => summariesRepo.register(tx, memberId, new Date(registeredAt)));
}

/**
 * Consumer of rental.item-rented.v1: one more rent on the member's counters (shown only once they are a partner).
 * The batch form with one event: the member's lock, then one statement (fewer round trips than applyOnce).
 */
export function countPartnerRent(db: Db, event: TEnvelope<'rental.item-rented.v1'>): Promise<void> {
  return db.$transaction((tx) => summariesRepo.countMany(tx, 'rent_count', [{ eventId: event.eventId, memberId: event.payload.memberId }]));
}

/** Consumer of rental.item-returned.v1: one more return (see countPartnerRent). */
export function countPartnerReturn(db: Db, event: TEnvelope<'rental.item-returned.v1'>): Promise<void> {
  return db.$transaction((tx) => summariesRepo.countMany(tx, 'return_count', [{ eventId: event.eventId, memberId: event.payload.memberId }]));
}

/** countPartnerRent for a batch of one partition, in one transaction (the rebuild's pace). */
export function countPartnerRents(db: Db, events: TEnvelope<'rental.item-rented.v1'>[]): Promise<void> {
  return db.$transaction((tx) => summariesRepo.countMany(tx, 'rent_count', events.map((event) => ({ eventId: event.eventId, memberId: event.payload.memberId }))), BATCH_TRANSACTION);
}

/** countPartnerReturn for a batch of one partition, in one transaction. */
export function countPartnerReturns(db: Db, events: TEnvelope<'rental.item-returned.v1'>[]): Promise<void> {
  return db.$transaction((tx) => summariesRepo.countMany(tx, 'return_count', events.map((event) => ({ eventId: event.eventId, memberId: event.payload.memberId }))), BATCH_TRANSACTION);
}

/** Consumer of member.member-erased.v1: the member's row is deleted and their later events ignored. */
export async function forgetErasedPartner(db: Db, event: TEnvelope<'member.member-erased.v1'>): Promise<void> {
  const { memberId, erasedAt } = event.payload;
  await db.$transaction(async (tx) => {
    if (!(await summariesRepo.markProcessed(tx, event.eventId))) return;
    await summariesRepo.lockMember(tx, memberId);
    await summariesRepo.forget(tx, memberId, new Date(erasedAt));
  });
}

export interface PartnerSummary {
  memberId: string;
  registeredAt: Date;
  rentCount: number;
  returnCount: number;
}

/** A partner's summary, or null for a member who is not a partner (even one whose rents are counted). */
export async function findPartnerSummary(db: Db, memberId: string): Promise<PartnerSummary | null> {
  const row = await summariesRepo.find(db, memberId);
  if (!row?.registeredAt) return null;
  return { memberId: row.memberId, registeredAt: row.registeredAt, rentCount: row.rentCount, returnCount: row.returnCount };
}

/**
 * For the rebuild: zeroes the counters and forgets the applied events, but
 * keeps the rows, their registrations and the erasures. A registration or an
 * erasure is never retracted, so keeping them is never wrong; deleting the
 * rows would hide every partner (404) until the replay re-registered them.
 */
export async function resetPartnerCounters(db: Db): Promise<void> {
  await summariesRepo.resetCounters(db);
}

export function countPartnerSummaryRows(db: Db): Promise<number> {
  return summariesRepo.countRows(db);
}
