/** auth.rate_attempt: the rate-limit counts every API process shares (rate-window.ts). */
import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db.ts';
import { windowWaitMs, type CountedKey, type RateStore, type Taken } from '../rate-window.ts';

/** Keys are stored hashed: the table holds no email or address. */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('base64url');

export function rateAttemptStore(db: Db): RateStore {
  return {
    async take(keys: readonly CountedKey[], windowMs: number, now: number): Promise<Taken> {
      const hashed = keys.map(({ key, limit }) => ({ key: hashKey(key), limit }));
      // Attempts for one key wait for each other on its lock, each holding a pooled connection meanwhile:
      // a burst from one address (a NAT, the suites) may need more than Prisma's default 2 s to get a connection.
      return db.$transaction(async (tx) => {
        // One attempt at a time per key, across processes (in a fixed order, so two keys cannot deadlock):
        // parallel guesses cannot all read the same count and slip past the limit together.
        for (const key of [...new Set(hashed.map((entry) => entry.key))].sort()) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
        }
        await tx.rateAttempt.deleteMany({ where: { key: { in: hashed.map((entry) => entry.key) }, expiresAt: { lte: new Date(now) } } });
        let waitMs = 0;
        for (const { key, limit } of hashed) {
          const rows = await tx.rateAttempt.findMany({ where: { key, at: { gt: new Date(now - windowMs) } }, select: { at: true } });
          waitMs = Math.max(waitMs, windowWaitMs(rows.map((row) => row.at.getTime()), limit, windowMs, now));
        }
        if (waitMs > 0) return { limited: true, retryAfterSeconds: Math.ceil(waitMs / 1000) };
        const ids: bigint[] = [];
        for (const { key } of hashed) {
          ids.push((await tx.rateAttempt.create({ data: { key, at: new Date(now), expiresAt: new Date(now + windowMs) }, select: { id: true } })).id);
        }
        return { limited: false, ids };
      }, { maxWait: 10_000, timeout: 15_000 });
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
