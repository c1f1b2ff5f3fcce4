/** auth.rate_attempt: the rate-limit counts every API process shares (rate-window.ts). */
import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db.ts';
import { windowWaitMs, type CountedKey, type RateStore, type Taken } from '../rate-window.ts';

/** Keys are stored hashed: the table holds no email or address. */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('base64url');

/**
 * Attempts on one key wait for each other's lock while holding a pooled connection: a burst from one
 * address on a busy machine may wait its turn longer than Prisma's defaults (2 s for a connection,
 * 5 s in all) without anything being wrong.
 */
const TAKE_TRANSACTION = { maxWait: 10_000, timeout: 15_000 } as const;

export function rateAttemptStore(db: Db): RateStore {
  return {
    async take(keys: readonly CountedKey[], windowMs: number, now: number): Promise<Taken> {
      const hashed = keys.map(({ key, limit }) => ({ key: hashKey(key), limit }));
      const lockOrder = [...new Set(hashed.map((entry) => entry.key))].sort();
      const since = new Date(now - windowMs);
      // Few round trips while the keys are locked: concurrent attempts on one key (an address's logins) queue behind each other.
      return db.$transaction(async (tx) => {
        // One attempt at a time per key, across processes (in a fixed order, so two keys cannot deadlock):
        // parallel guesses cannot all read the same count and slip past the limit together.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${lockOrder}::text[]) WITH ORDINALITY AS l(k, ord) ORDER BY ord`;
        // Expired attempts of these keys go, and the ones in the window are read (a statement's snapshot does
        // not see its own deletions, but an expired attempt is outside the window anyway).
        const rows = await tx.$queryRaw<{ key: string; at: Date }[]>`
          WITH expired AS (DELETE FROM auth.rate_attempt WHERE key = ANY(${lockOrder}::text[]) AND expires_at <= ${new Date(now)}::timestamptz)
          SELECT key, at FROM auth.rate_attempt WHERE key = ANY(${lockOrder}::text[]) AND at > ${since}::timestamptz`;
        let waitMs = 0;
        for (const { key, limit } of hashed) {
          const times = rows.filter((row) => row.key === key).map((row) => new Date(row.at).getTime());
          waitMs = Math.max(waitMs, windowWaitMs(times, limit, windowMs, now));
        }
        if (waitMs > 0) return { limited: true, retryAfterSeconds: Math.ceil(waitMs / 1000) };
        // One row per key in the order given; ids come from a sequence in that order, so sorted ids are in key order.
        const inserted = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO auth.rate_attempt (key, at, expires_at)
          SELECT k, ${new Date(now)}::timestamptz, ${new Date(now + windowMs)}::timestamptz FROM unnest(${hashed.map((entry) => entry.key)}::text[]) WITH ORDINALITY AS t(k, ord) ORDER BY ord
          RETURNING id`;
        const ids = inserted.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return { limited: false, ids };
      }, TAKE_TRANSACTION);
    },
    async remove(ids) {
      if (ids.length > 0) await db.rateAttempt.deleteMany({ where: { id: { in: [...ids] } } });
    },
    async clear(key) {
      await db.rateAttempt.deleteMany({ where: { key: hashKey(key) } });
    },
  };
}

/** Deletes the attempts that left their window (keys nobody tried again keep theirs until then). */
export async function sweepRateAttempts(db: Db, now = new Date()): Promise<number> {
  return (await db.rateAttempt.deleteMany({ where: { expiresAt: { lte: now } } })).count;
}
