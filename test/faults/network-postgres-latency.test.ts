/**
 * 500 ms of latency on every answer PostgreSQL sends to the app processes
 * (Toxiproxy between them and the server; the test's own connections go
 * direct). Rent sagas are provably in flight when it starts (each held inside
 * its awardPoints step) and more start under it: every saga completes,
 * every read model catches up, nothing is lost or doubled, nothing is parked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { api, settledSaga } from '../support/api.ts';
import { heldStepHistories, rentsHeldInAwardPoints, settleHeld } from '../support/in-flight.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { newBook, newMember } from '../support/library.ts';
import { rentWorkflowId } from '../../services/contracts/temporal.ts';
import { addToxic, deadLetterMessages, removeToxic, resetProxies } from '../support/toxiproxy.ts';

const LATENCY_MS = 500;

afterAll(async () => {
  await resetProxies();
});

async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await call();
  return { ms: performance.now() - started, result };
}

describe('500 ms of latency on PostgreSQL', () => {
  it('sagas held across its onset and sagas started under it complete; invariants hold; no dead letter', async () => {
    const late = await Promise.all(Array.from({ length: 4 }, () => newMember()));
    const lateBooks = await Promise.all(late.map(() => newBook()));
    const lettersBefore = await deadLetterMessages();
    const held = await rentsHeldInAwardPoints(8, 4_000);
    const probe = () => api('/members/me/rental-card', { token: held.members[0]!.token });
    const before = await timed(probe);

    await addToxic('postgres', { name: 'latency', type: 'latency', attributes: { latency: LATENCY_MS, jitter: 0 } });
    const onAt = Date.now();
    // The API's database traffic goes through the proxy: a read of the card now waits for at least one delayed answer.
    const under = await timed(probe);
    expect(under.result.status).toBe(200);
    expect(under.ms).toBeGreaterThanOrEqual(LATENCY_MS);
    // More load under the latency: four whole rent sagas, from their POST on.
    const lateRents = await Promise.all(
      late.map((member, i) => api('/rentals', { method: 'POST', token: member.token, json: { bookNo: lateBooks[i]!.bookNo } })),
    );
    expect(lateRents.map((response) => response.status)).toEqual(Array(late.length).fill(202));

    expect(await settleHeld(held, 240_000)).toEqual(Array(held.workflowIds.length).fill('COMPLETED'));
    const lateSagas = await Promise.all(
      lateRents.map((response, i) => settledSaga(response.headers.get('location')!, 240_000, late[i]!.token)),
    );
    expect(lateSagas.map((saga) => saga.status)).toEqual(Array(late.length).fill('COMPLETED'));
    const sagasDoneMs = Date.now() - onAt;
    // Each held step was scheduled before the latency began and ran under it.
    const steps = await heldStepHistories(held.workflowIds);
    for (const step of steps) {
      expect(step.scheduledAt.getTime()).toBeLessThan(onAt);
      expect(step.completedAt.getTime()).toBeGreaterThan(onAt);
    }

    // Still under the latency: the read models catch up, nothing lost or doubled (the checker reads the servers directly).
    const members = [...held.members, ...late];
    await expectInvariantsToHold(
      { memberIds: members.map((m) => m.memberId), bookNos: [...held.books, ...lateBooks].map((b) => b.bookNo) },
      240_000,
    );
    const consistentMs = Date.now() - onAt;
    // The worker's database traffic goes through the proxy too: each late saga's awardPoints step waited for delayed
    // answers. (Not the proxy's byte counter: Toxiproxy adds a connection's bytes only when it closes.)
    const lateSteps = await heldStepHistories(
      lateRents.map((response) => rentWorkflowId(response.headers.get('location')!.split('/').at(-1)!)),
      'awardPoints',
    );
    const lateStepMs = lateSteps.map((step) => step.completedAt.getTime() - step.scheduledAt.getTime());
    for (const ms of lateStepMs) expect(ms).toBeGreaterThanOrEqual(LATENCY_MS);
    await removeToxic('postgres', 'latency');

    expect(await deadLetterMessages()).toBe(lettersBefore);
    console.log(
      `postgres +${LATENCY_MS} ms: ${held.workflowIds.length} sagas held in a step + ${late.length} started under it; card read ${Math.round(before.ms)} ms -> ${Math.round(under.ms)} ms; ` +
        `all ${held.workflowIds.length + late.length} COMPLETED ${sagasDoneMs} ms and invariants holding ${consistentMs} ms after the latency began; late awardPoints steps ${lateStepMs.join(',')} ms; ` +
        `held step attempts ${steps.map((s) => s.attempt).join(',')}; dead letters +0`,
    );
  }, 420_000);
});
