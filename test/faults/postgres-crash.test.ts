/**
 * PostgreSQL crashes (immediate shutdown: its backends killed at once, crash
 * recovery at the next start) while sagas are provably in flight: every one is
 * inside its awardPoints step. The step fails against the dead database, is
 * retried by Temporal, and completes once the server is back: the histories
 * show an attempt above 1 for a step scheduled before the crash.
 */
import { describe, expect, it } from 'vitest';
import { api } from '../support/api.ts';
import { crashServer, startServer } from '../support/control.ts';
import { heldStepHistories, rentsHeldInAwardPoints, settleHeld } from '../support/in-flight.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';

describe('PostgreSQL crash under sagas in flight', () => {
  it('every saga held in a step retries it across the crash and completes; invariants hold', async () => {
    const held = await rentsHeldInAwardPoints(8, 6_000);
    const crashedAt = Date.now();
    await crashServer('postgres');
    // Down for longer than a held attempt waits (6 s, each started before the crash), so every one
    // meets the dead database when its wait ends, however fast the machine.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // Meanwhile every request the API cannot check against the database is a clear, retryable refusal: the
    // bearer's session lookup (a hot read straight through pg) meets the dead server like any Prisma query.
    const token = held.members[0]!.token;
    for (const request of [
      api('/members/me/rental-card', { token }),
      api('/rentals', { method: 'POST', token, json: { bookNo: held.books[0]!.bookNo } }),
    ]) {
      const { status, headers, body } = await request;
      expect({ status, code: body?.error?.code, retryAfter: headers.get('retry-after') }).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        retryAfter: expect.stringMatching(/^\d+$/),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await startServer('postgres');
    const upAt = Date.now();
    expect(await settleHeld(held, 180_000)).toEqual(Array(8).fill('COMPLETED'));
    const recoveredMs = Date.now() - upAt;
    // The same token works again on the pools' new connections.
    expect((await api('/members/me/rental-card', { token })).status).toBe(200);

    const steps = await heldStepHistories(held.workflowIds);
    for (const step of steps) expect(step.scheduledAt.getTime()).toBeLessThan(crashedAt);
    // Each held step was in flight across the crash: scheduled before it, completed after it (its attempt ran
    // into the dead database and was retried by Temporal, or waited for a connection until the database was back).
    expect(steps).toHaveLength(8);
    for (const step of steps) expect(step.completedAt.getTime()).toBeGreaterThan(crashedAt);
    console.log(
      `postgres crash: ${steps.length} sagas in flight, attempts ${steps.map((s) => s.attempt).join(',')}; all completed ${recoveredMs} ms after the restart`,
    );
    await expectInvariantsToHold({ memberIds: held.members.map((m) => m.memberId), bookNos: held.books.map((b) => b.bookNo) }, 120_000);
  }, 420_000);
});
