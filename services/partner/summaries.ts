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

export function findPartnerSummary(db: Db, memberId: string) {
  return summariesRepo.find(db, memberId);
}
