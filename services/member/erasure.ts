import type { Db } from '../platform/db.ts';
import { appendToOutbox } from '../platform/outbox.ts';
import { profilesRepo } from './db/profiles.ts';

/**
 * Erasure: the profile keeps its id (loans and points refer to it) but loses
 * everything that could identify the person (nickname, styles) and records
 * when (erasedAt); member-erased tells the read models to forget the member.
 * Idempotent: the event is written once.
 */
export async function eraseProfile(db: Db, input: { memberId: string }, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await profilesRepo.erase(tx, input.memberId, now);
    if (count === 0) return;
    await appendToOutbox(tx, 'member', [
      { topic: 'member.member-erased.v1', aggregateId: input.memberId, payload: { memberId: input.memberId, erasedAt: now.toISOString() } },
    ]);
  });
}
