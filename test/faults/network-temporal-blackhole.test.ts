/**
 * Temporal's frontend drops every byte from and to the app processes for 30 s
 * (a network partition: Toxiproxy's timeout toxic with no timeout, both
 * directions; the test reaches Temporal directly). Rent sagas are provably in
 * flight (each held inside its awardPoints step). While it lasts the API
 * answers every request in bounded time: 503 SERVICE_UNAVAILABLE with
 * Retry-After where Temporal is needed, 200 where it is not, never a 500.
 * Afterwards the workers and the API recover by themselves, every saga
 * completes, and every invariant holds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { api, settledSaga } from '../support/api.ts';
import { heldStepHistories, rentsHeldInAwardPoints } from '../support/in-flight.ts';
import { setFaults } from '../support/faults.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { newBook, newMember } from '../support/library.ts';
import { addToxic, bytesThrough, deadLetterMessages, removeToxic, resetProxies } from '../support/toxiproxy.ts';

const BLACKHOLE_MS = 30_000;
/** The API's deadline for one call to Temporal (API_TEMPORAL_CALL_TIMEOUT_MS, 10 s) and some room on a loaded machine. */
const ANSWER_WITHIN_MS = 14_000;

afterAll(async () => {
  await resetProxies();
  setFaults([]);
});

interface Answer {
  request: string;
  status: number;
  code?: string;
  retryAfter: string | null;
  ms: number;
}

async function timedApi(request: string, path: string, init: Parameters<typeof api>[1]): Promise<Answer> {
  const started = performance.now();
  const response = await api(path, init);
  return {
    request,
    status: response.status,
    code: response.body?.error?.code,
    retryAfter: response.headers.get('retry-after'),
    ms: Math.round(performance.now() - started),
  };
}

describe('Temporal unreachable for 30 s (every byte dropped)', () => {
  it('the API answers 503 in bounded time while it lasts; workers recover; every saga completes', async () => {
    const spare = await newMember();
    const spareBook = await newBook();
    const lettersBefore = await deadLetterMessages();
    const held = await rentsHeldInAwardPoints(8, 3_000);
    const bytesBefore = await bytesThrough('temporal');

    await addToxic('temporal', { name: 'blackhole-down', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    await addToxic('temporal', { name: 'blackhole-up', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const onAt = Date.now();
    const answers: Answer[] = [];
    while (Date.now() - onAt < BLACKHOLE_MS - ANSWER_WITHIN_MS) {
      answers.push(
        ...(await Promise.all([
          timedApi('POST /rentals', '/rentals', { method: 'POST', token: spare.token, json: { bookNo: spareBook.bookNo } }),
          timedApi('GET /rentals/{id}', held.locations[0]!, { token: held.members[0]!.token }),
          timedApi('GET /books/{bookNo}', `/books/${spareBook.bookNo}`, {}),
        ])),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, BLACKHOLE_MS - (Date.now() - onAt))));
    await removeToxic('temporal', 'blackhole-down');
    await removeToxic('temporal', 'blackhole-up');
    const offAt = Date.now();

    // While it lasted: no 500, every answer in bounded time; Temporal's routes said 503 with Retry-After, the database's answered.
    expect(answers.filter((answer) => answer.status >= 500 && answer.status !== 503)).toEqual([]);
    expect(answers.filter((answer) => answer.ms > ANSWER_WITHIN_MS)).toEqual([]);
    for (const answer of answers.filter((a) => a.request !== 'GET /books/{bookNo}')) {
      expect(answer).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });
    }
    expect(answers.filter((a) => a.request === 'GET /books/{bookNo}').map((a) => a.status)).toEqual(Array(answers.length / 3).fill(200));

    // The workers are behind the proxy too: no held step could complete during the blackhole.
    const backAt = await firstAnswer(held.locations[0]!, held.members[0]!.token, 120_000);
    const apiBackMs = backAt - offAt;
    const sagas = await Promise.all(held.locations.map((location, i) => settledSaga(location, 180_000, held.members[i]!.token)));
    setFaults([]);
    expect(sagas.map((saga) => saga.status)).toEqual(Array(held.workflowIds.length).fill('COMPLETED'));
    const sagasBackMs = Date.now() - offAt;
    const steps = await heldStepHistories(held.workflowIds);
    for (const step of steps) {
      expect(step.scheduledAt.getTime()).toBeLessThan(onAt);
      expect(step.completedAt.getTime()).toBeGreaterThan(offAt - 1_000);
    }
    // A new saga starts and completes as before.
    const accepted = await api('/rentals', { method: 'POST', token: spare.token, json: { bookNo: spareBook.bookNo } });
    expect(accepted.status).toBe(202);
    expect((await settledSaga(accepted.headers.get('location')!, 120_000, spare.token)).status).toBe('COMPLETED');

    const memberIds = [...held.members, spare].map((m) => m.memberId);
    await expectInvariantsToHold({ memberIds, bookNos: [...held.books, spareBook].map((b) => b.bookNo) }, 120_000);
    const consistentMs = Date.now() - offAt;
    expect(await deadLetterMessages()).toBe(lettersBefore);
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.log(
      `temporal blackhole ${BLACKHOLE_MS / 1000} s: ${held.workflowIds.length} sagas held in a step; ${answers.length} requests during it, ` +
        `${answers.filter((a) => a.status === 503).length} x 503 SERVICE_UNAVAILABLE, ${answers.filter((a) => a.status === 200).length} x 200, slowest ${slowest} ms; ` +
        `API answering Temporal routes ${apiBackMs} ms, all sagas COMPLETED ${sagasBackMs} ms, invariants holding ${consistentMs} ms after it ended; ` +
        `held step attempts ${steps.map((s) => s.attempt).join(',')}; ${(await bytesThrough('temporal')) - bytesBefore} bytes through the proxy; dead letters +0`,
    );
  }, 420_000);
});

/** When the API first answers a saga's status resource with 200 again. */
async function firstAnswer(location: string, token: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await api(location, { token });
    if (status === 200) return Date.now();
    if (status !== 503) throw new Error(`GET ${location} answered ${status}`);
    if (Date.now() > deadline) throw new Error(`GET ${location} still 503 after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
