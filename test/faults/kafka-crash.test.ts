/**
 * The Kafka broker is SIGKILLed while sagas are provably in flight (each held
 * in its awardPoints step) and restarted 5 s later. Sagas do not need Kafka:
 * they complete, their events wait in the outboxes (the relay retries), then
 * arrive once; no dead letter, and every invariant holds.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';
import { crashServer, startServer } from '../support/control.ts';
import { heldStepHistories, rentsHeldInAwardPoints, settleHeld } from '../support/in-flight.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';

afterAll(async () => {
  await startServer('kafka');
});

describe('Kafka broker SIGKILLed under sagas in flight', () => {
  it('sagas held across the kill complete, their events arrive once after the restart', async () => {
    const held = await rentsHeldInAwardPoints(8, 6_000);
    const killedAt = Date.now();
    await crashServer('kafka');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await startServer('kafka');
    const upAt = Date.now();
    expect(await settleHeld(held, 180_000)).toEqual(Array(8).fill('COMPLETED'));
    const steps = await heldStepHistories(held.workflowIds);
    for (const step of steps) {
      expect(step.scheduledAt.getTime()).toBeLessThan(killedAt);
      expect(step.completedAt.getTime()).toBeGreaterThan(killedAt);
    }
    const memberIds = held.members.map((m) => m.memberId);
    await expectInvariantsToHold({ memberIds, bookNos: held.books.map((b) => b.bookNo) }, 180_000);
    console.log(
      `kafka SIGKILL: ${steps.length} sagas in flight; events delivered and invariants holding ${Date.now() - upAt} ms after the restart`,
    );
    const db = new pg.Pool({ connectionString: stack().databaseUrl, max: 1 });
    try {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM rental.outbox WHERE key = ANY($1::text[]) AND topic = 'rental.item-rented.v1' AND published_at IS NOT NULL`,
        [memberIds],
      );
      expect(rows[0].n).toBe(8);
    } finally {
      await db.end();
    }
  }, 420_000);
});
