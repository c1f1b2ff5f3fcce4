/**
 * The partner summary: a read model of each partner's rents and returns. The
 * registration and the rental events arrive on topics that are not ordered
 * relative to each other, so every member's rents and returns are counted, and
 * the registration only makes the row visible: the counts come out the same
 * whatever the order. Erased members are remembered (ids only) and their late
 * events ignored.
 */
import type { TEnvelope } from '../contracts/events.ts';
import type { Db, Tx } from '../platform/db.ts';
import { applyOnce } from '../platform/read-model-kit.ts';
import { PARTNER_PROCESSED, summariesRepo } from './db/summaries.ts';

/** Applies the change once per event, the events' members locked (one handler per member at a time). */
function applyOnceLocked<E extends { eventId: string; payload: { memberId: string } }>(
  db: Db,
  events: E[],
  change: (tx: Tx, fresh: E[]) => Promise<unknown>,
) {
  return applyOnce(db, PARTNER_PROCESSED, events, async (tx, fresh) => {
    await summariesRepo.lockMembers(
      tx,
      fresh.map((event) => event.payload.memberId),
    );
    await change(tx, fresh);
  });
}

/** Consumer of member.partner-registered.v1: each member becomes a partner, with the counts applied so far (a batch in one transaction). */
export async function recordPartnersRegistered(db: Db, events: TEnvelope<'member.partner-registered.v1'>[]): Promise<void> {
  await applyOnceLocked(db, events, (tx, fresh) =>
    summariesRepo.registerMany(
      tx,
      fresh.map(({ payload }) => ({ memberId: payload.memberId, registeredAt: new Date(payload.registeredAt) })),
    ),
  );
}

export const recordPartnerRegistered = (db: Db, event: TEnvelope<'member.partner-registered.v1'>) => recordPartnersRegistered(db, [event]);

/** Consumer of rental.item-rented.v1: one more rent on each member's counters (shown only once they are a partner). */
export async function countPartnerRents(db: Db, events: TEnvelope<'rental.item-rented.v1'>[]): Promise<void> {
  await applyOnceLocked(db, events, (tx, fresh) =>
    summariesRepo.countMany(
      tx,
      'rent_count',
      fresh.map((event) => event.payload.memberId),
    ),
  );
}

export const countPartnerRent = (db: Db, event: TEnvelope<'rental.item-rented.v1'>) => countPartnerRents(db, [event]);

/** Consumer of rental.item-returned.v1: one more return (see countPartnerRents). */
export async function countPartnerReturns(db: Db, events: TEnvelope<'rental.item-returned.v1'>[]): Promise<void> {
  await applyOnceLocked(db, events, (tx, fresh) =>
    summariesRepo.countMany(
      tx,
      'return_count',
      fresh.map((event) => event.payload.memberId),
    ),
  );
}

export const countPartnerReturn = (db: Db, event: TEnvelope<'rental.item-returned.v1'>) => countPartnerReturns(db, [event]);

/** Consumer of member.member-erased.v1: the members' rows are deleted and their later events ignored. */
export async function forgetErasedPartners(db: Db, events: TEnvelope<'member.member-erased.v1'>[]): Promise<void> {
  await applyOnceLocked(db, events, (tx, fresh) =>
    summariesRepo.forget(
      tx,
      fresh.map(({ payload }) => ({ memberId: payload.memberId, erasedAt: new Date(payload.erasedAt) })),
    ),
  );
}

export const forgetErasedPartner = (db: Db, event: TEnvelope<'member.member-erased.v1'>) => forgetErasedPartners(db, [event]);

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
