/**
 * Cluster profile only: the crashes of README "The cluster profile" besides one
 * broker (test/faults/cluster-broker-kill.test.ts). Each is a SIGKILL under
 * load: 25 rents started through both API processes, the kill while some are
 * RUNNING, then the 25 returns: 50 sagas per kill, every one COMPLETED, one loan
 * and two events per rent, and the invariant checker clean. The same members
 * and books serve every kill (each kill's returns free the books for the next).
 *   - one consumers process: the other takes over its partitions;
 *   - the relay publishing the rental outbox: the standby drains it (takeover time);
 *   - one worker, mid-saga: the other finishes every saga;
 *   - one API process: the other keeps answering; a start whose answer the kill
 *     swallowed is sent again with its Idempotency-Key, and no saga is left half-started;
 *   - the Temporal server, then restarted: every saga completes;
 *   - two brokers: producers cannot reach min ISR, the outbox holds the events,
 *     the sagas complete; after the restart every event is delivered once in effect.
 * The last test reads the two loan topics and counts, per kill, the copies
 * Kafka holds of each event (a relay killed between publishing and marking
 * re-sends); the invariant checker found the read models applied each once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS } from '../../processes/consumers.ts';
import { api, stack } from '../support/api.ts';
import { crashServer, killProcess, startProcess, startServer } from '../support/control.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { readTopic, waitForConsumerGroups } from '../support/kafka.ts';
import { newBook, newMember } from '../support/library.ts';

const MEMBERS = 25;
const BATCH = 5;
const SETTLE_MS = 300_000;
const cluster = stack().apiUrls.length > 1;
type Member = Awaited<ReturnType<typeof newMember>>;
type Book = Awaited<ReturnType<typeof newBook>>;

let db: pg.Pool;
const members: Member[] = [];
const books: Book[] = [];
/** Each kill's rent saga ids (= rental ids), for counting copies on Kafka at the end. */
const rentIdsByKill = new Map<string, string[]>();
/** What each kill measured: one line each at the end. */
const figures = new Map<string, string>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Member i talks to API process i % 2 (then the next one, when that does not answer). */
const apiOf = (i: number) => stack().apiUrls[i % stack().apiUrls.length]!;

beforeAll(async () => {
  if (!cluster) return;
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
  db.on('error', () => {});
  // A few at a time: on a loaded machine many parallel signups or POST /books wait past Prisma's transaction start timeout.
  while (members.length < MEMBERS) members.push(...(await Promise.all(Array.from({ length: BATCH }, () => newMember()))));
  while (books.length < MEMBERS) books.push(...(await Promise.all(Array.from({ length: BATCH }, () => newBook()))));
}, 600_000);
afterAll(async () => {
  await db?.end();
});

interface Started {
  location: string;
  id: string;
  /** The first answer was lost (refused connection, reset, 5xx): sent again with the same Idempotency-Key. */
  resent: boolean;
}

/** POSTs a saga start with an Idempotency-Key; a lost answer is sent again, to the next API process. */
async function startSaga(path: string, i: number): Promise<Started> {
  const key = randomUUID();
  for (let attempt = 0; ; attempt++) {
    let answer: Awaited<ReturnType<typeof api>> | undefined;
    try {
      answer = await api(path, {
        method: 'POST',
        baseUrl: apiOf(i + attempt),
        token: members[i]!.token,
        json: { bookNo: books[i]!.bookNo },
        headers: { 'idempotency-key': key },
      });
    } catch {
      // the process died with the request in flight, or does not listen
    }
    if (answer?.status === 202) return { location: answer.headers.get('location')!, id: answer.body.id as string, resent: attempt > 0 };
    if (answer && answer.status < 500) throw new Error(`POST ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    if (attempt >= 40) throw new Error(`POST ${path}: no API process accepted it (last answer ${answer?.status})`);
    await sleep(250);
  }
}

/** Polls a saga until it ends, through whichever API process answers (a server may be down meanwhile). */
async function settle(location: string, i: number): Promise<string> {
  const deadline = Date.now() + SETTLE_MS;
  for (let attempt = 0; ; attempt++) {
    let answer: Awaited<ReturnType<typeof api>> | undefined;
    try {
      answer = await api(location, { baseUrl: apiOf(i + attempt), token: members[i]!.token });
    } catch {
      // not answering: ask the other
    }
    if (answer?.status === 200 && answer.body.status !== 'RUNNING') return answer.body.status as string;
    if (answer && answer.status !== 200 && answer.status < 500)
      throw new Error(`GET ${location} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    if (Date.now() > deadline) throw new Error(`saga ${location} did not end within ${SETTLE_MS} ms`);
    await sleep(200);
  }
}

interface LoadRun {
  rentIds: string[];
  /** Rents RUNNING right before the kill (of those accepted by then). */
  inFlight: number;
  killedAt: number;
  /** When the last of the 50 sagas ended. */
  sagasDoneAt: number;
  /** Starts sent again with their Idempotency-Key after losing their answer. */
  resent: number;
}

/**
 * 25 rents, `kill` once five are accepted (the others still being started, the
 * accepted ones RUNNING), then the 25 returns; every saga must complete.
 * `afterRents` runs once the rents have ended, before the returns start.
 */
async function underLoad(label: string, kill: () => Promise<void>, afterRents?: (rentIds: string[]) => Promise<void>): Promise<LoadRun> {
  const accepted: { started: Started; i: number }[] = [];
  const rentStarts = members.map((_, i) =>
    startSaga('/rentals', i).then((started) => {
      accepted.push({ started, i });
      return started;
    }),
  );
  const everyStart = Promise.allSettled(rentStarts);
  for (let allStarted = false; accepted.length < 5 && !allStarted; ) {
    allStarted = await Promise.race([everyStart.then(() => true), sleep(20).then(() => false)]);
  }
  const states = await Promise.all(
    accepted.map(({ started, i }) => api(started.location, { baseUrl: apiOf(i), token: members[i]!.token })),
  );
  const inFlight = states.filter((state) => state.status === 200 && state.body.status === 'RUNNING').length;
  const killedAt = Date.now();
  await kill();
  const rents = await Promise.all(rentStarts);
  const rented = await Promise.all(rents.map((rent, i) => settle(rent.location, i)));
  await afterRents?.(rents.map((rent) => rent.id));
  const returns = await Promise.all(members.map((_, i) => startSaga('/returns', i)));
  const returned = await Promise.all(returns.map((started, i) => settle(started.location, i)));
  const sagasDoneAt = Date.now();
  expect(rented, `${label}: rents`).toEqual(Array(MEMBERS).fill('COMPLETED'));
  expect(returned, `${label}: returns`).toEqual(Array(MEMBERS).fill('COMPLETED'));
  const rentIds = rents.map((rent) => rent.id);
  rentIdsByKill.set(label, rentIds);
  return { rentIds, inFlight, killedAt, sagasDoneAt, resent: [...rents, ...returns].filter((s) => s.resent).length };
}

/** One loan and two events (rented, returned) per rent: nothing lost, nothing doubled; then the invariant checker. */
async function expectOnceEach(run: LoadRun): Promise<void> {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM rental.rental_item WHERE rental_id = ANY($1::uuid[]))::int AS items,
            (SELECT count(*) FROM rental.outbox WHERE topic IN ('rental.item-rented.v1', 'rental.item-returned.v1')
               AND envelope->'payload'->>'rentalId' = ANY($1::text[]))::int AS events`,
    [run.rentIds],
  );
  expect(rows[0]).toEqual({ items: MEMBERS, events: MEMBERS * 2 });
  expect(new Set(run.rentIds).size).toBe(MEMBERS);
  await expectInvariantsToHold({ memberIds: members.map((m) => m.memberId), bookNos: books.map((b) => b.bookNo) }, 240_000);
}

const unpublished = async (rentIds: string[]) =>
  (
    await db.query(
      `SELECT count(*)::int AS n FROM rental.outbox WHERE published_at IS NULL AND envelope->'payload'->>'rentalId' = ANY($1::text[])`,
      [rentIds],
    )
  ).rows[0].n as number;

/** Rows of the rental outbox a relay published, from its metrics (ports follow each API port, +7 the relay: scripts/processes.ts). */
async function rentalRowsPublished(apiUrl: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${Number(new URL(apiUrl).port) + 7}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('bookrental_outbox_published_total{') && line.includes('outbox="rental"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe.skipIf(!cluster)('crashes the cluster survives, each a SIGKILL under 50 sagas', () => {
  it('one consumers process: the other takes over its partitions, the read models complete, nothing applied twice', async () => {
    const run = await underLoad('consumers process', () => killProcess('consumers'));
    // The killed member leaves its groups when its session times out; the survivor then holds every partition.
    await expectOnceEach(run);
    const recoveredMs = Date.now() - run.killedAt;
    await startProcess('consumers');
    await waitForConsumerGroups(stack().kafkaBrokers, Object.values(CONSUMER_GROUPS), 120_000);
    expect(run.inFlight).toBeGreaterThan(0);
    figures.set(
      'consumers process',
      `${run.inFlight} rents RUNNING; sagas done ${seconds(run.sagasDoneAt - run.killedAt)} after the kill; read models complete (consumers-2 holding every partition) ${seconds(recoveredMs)} after it`,
    );
  }, 900_000);

  it('the relay publishing the rental outbox: the standby takes over and drains it', async () => {
    const [first, second] = stack().apiUrls as [string, string];
    const before = await Promise.all([rentalRowsPublished(first), rentalRowsPublished(second)]);
    let victim: 'relay' | 'relay-2' = 'relay';
    let takeover: Promise<number> | undefined;
    const run = await underLoad('active relay', async () => {
      // Both relays try each outbox's lock on every pass; the one that published the rental rows since the load began holds it.
      const now = await Promise.all([rentalRowsPublished(first), rentalRowsPublished(second)]);
      victim = now[1] - before[1] > now[0] - before[0] ? 'relay-2' : 'relay';
      await killProcess(victim);
      const killedAt = Date.now();
      // The first rental row published after the kill is the standby's.
      takeover = (async () => {
        for (const deadline = killedAt + 180_000; Date.now() < deadline; await sleep(50)) {
          const { rows } = await db.query(
            `SELECT min(published_at) AS at FROM rental.outbox WHERE published_at >= to_timestamp($1::float8 / 1000)`,
            [killedAt],
          );
          if (rows[0].at) return (rows[0].at as Date).getTime() - killedAt;
        }
        throw new Error('no rental outbox row was published within 180 s of the kill');
      })();
    });
    const takeoverMs = await takeover!;
    await expectOnceEach(run);
    const drainedMs = Date.now() - run.killedAt;
    await startProcess(victim);
    expect(run.inFlight).toBeGreaterThan(0);
    console.log(`relay takeover: ${victim} SIGKILLed; the standby published the next rental row ${takeoverMs} ms after the kill`);
    figures.set(
      'active relay',
      `${run.inFlight} rents RUNNING at the kill of ${victim}; the standby's first publish ${takeoverMs} ms after it; sagas done ${seconds(run.sagasDoneAt - run.killedAt)}; outboxes drained, invariants clean ${seconds(drainedMs)} after it`,
    );
  }, 900_000);

  it('one worker mid-saga: the other finishes every saga', async () => {
    let stillDown = false;
    const run = await underLoad(
      'worker',
      () => killProcess('worker'),
      async () => {
        stillDown = true; // the rents ended with the killed worker still down; so do the returns
      },
    );
    await expectOnceEach(run);
    const recoveredMs = Date.now() - run.killedAt;
    await startProcess('worker');
    expect(stillDown).toBe(true);
    expect(run.inFlight).toBeGreaterThan(0);
    figures.set(
      'worker',
      `${run.inFlight} rents RUNNING; every saga finished by worker-2 ${seconds(run.sagasDoneAt - run.killedAt)} after the kill; invariants clean ${seconds(recoveredMs)} after it`,
    );
  }, 900_000);

  it('one API process: the other keeps answering, and no saga is left half-started', async () => {
    const survivor = stack().apiUrls[1]!;
    let unanswered = 0;
    let asked = 0;
    const notOk: number[] = [];
    let watching = true;
    // The survivor is asked for its health every 200 ms from the start of the load until the sagas end. It must
    // answer every time; its dependency checks may answer 503 for a moment on a loaded machine (counted, not failed).
    const watch = (async () => {
      while (watching) {
        asked++;
        const response = await fetch(`${survivor}/health`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        if (!response) unanswered++;
        else if (response.status !== 200) notOk.push(response.status);
        await sleep(200);
      }
    })();
    const run = await underLoad('api process', () => killProcess('api')).finally(() => {
      watching = false;
    });
    await watch;
    await expectOnceEach(run);
    const recoveredMs = Date.now() - run.killedAt;
    await startProcess('api');
    expect(unanswered).toBe(0);
    expect(run.inFlight).toBeGreaterThan(0);
    figures.set(
      'api process',
      `${run.inFlight} rents RUNNING; ${run.resent} start(s) whose answer the kill swallowed, sent again with their Idempotency-Key to api-2 (one saga each); api-2 answered all ${asked} health checks (${notOk.length} with ${[...new Set(notOk)].join('/') || 'no'} non-200); sagas done ${seconds(run.sagasDoneAt - run.killedAt)}, invariants clean ${seconds(recoveredMs)} after the kill`,
    );
  }, 900_000);

  it('the Temporal server, killed and restarted: every saga completes', async () => {
    let downMs = 0;
    const run = await underLoad('temporal server', async () => {
      const killedAt = Date.now();
      await crashServer('temporal');
      await sleep(5_000);
      await startServer('temporal');
      downMs = Date.now() - killedAt;
    });
    await expectOnceEach(run);
    const recoveredMs = Date.now() - run.killedAt;
    expect(run.inFlight).toBeGreaterThan(0);
    figures.set(
      'temporal server',
      `${run.inFlight} rents RUNNING; down ${seconds(downMs)} (restart included); sagas done ${seconds(run.sagasDoneAt - run.killedAt)} after the kill; invariants clean ${seconds(recoveredMs)} after it`,
    );
  }, 900_000);

  it('two brokers: the outbox holds the events, the sagas complete; after the restart every event is delivered once in effect', async () => {
    let held = 0;
    let downAt = 0;
    const run = await underLoad(
      'two brokers',
      async () => {
        await Promise.all([crashServer('kafka2'), crashServer('kafka3')]);
        downAt = Date.now();
      },
      async (rentIds) => {
        // One broker of three: below min ISR 2 no write is acknowledged, so the relays' sends fail and the rows stay.
        held = await unpublished(rentIds);
      },
    );
    // The returns ran with the brokers down too: their events wait in the outbox as well.
    const heldAfterReturns = await unpublished(run.rentIds);
    const restartAt = Date.now();
    await Promise.all([startServer('kafka2'), startServer('kafka3')]);
    await expectOnceEach(run);
    const recoveredMs = Date.now() - restartAt;
    expect(held).toBeGreaterThan(0);
    expect(heldAfterReturns).toBeGreaterThanOrEqual(MEMBERS);
    expect(run.inFlight).toBeGreaterThan(0);
    figures.set(
      'two brokers',
      `${run.inFlight} rents RUNNING; brokers down ${seconds(restartAt - downAt)}, the 50 sagas done meanwhile with ${heldAfterReturns} of their 50 events held in the outbox; delivered, read models complete and invariants clean ${seconds(recoveredMs)} after the restart`,
    );
  }, 900_000);

  it('delivered once in effect: every event of every kill is on Kafka; the copies are counted', async () => {
    const messages = [
      ...(await readTopic(stack().kafkaBrokers, 'rental.item-rented.v1')),
      ...(await readTopic(stack().kafkaBrokers, 'rental.item-returned.v1')),
    ].map((message) => JSON.parse(message.value!) as { eventId: string; payload: { rentalId: string } });
    const lines: string[] = [];
    for (const [kill, rentIds] of rentIdsByKill) {
      const ids = new Set(rentIds);
      const ours = messages.filter((message) => ids.has(message.payload.rentalId));
      const distinct = new Set(ours.map((message) => message.eventId)).size;
      expect(distinct, kill).toBe(MEMBERS * 2);
      lines.push(`${kill}: ${figures.get(kill) ?? ''}; ${ours.length - distinct} duplicate(s) on Kafka, each applied once (invariants)`);
    }
    console.log(`cluster-crashes:\n  ${lines.join('\n  ')}`);
  }, 300_000);
});
