/**
 * Cluster profile only: SIGKILL the broker leading most partitions of
 * rental.item-rented.v1 while 25 rents are in flight (50 sagas with their
 * returns). Sagas go on, leadership moves to the other brokers, the restarted
 * broker catches up (back in every ISR), nothing is lost or doubled, and the
 * invariant checker finds nothing.
 */
import kafkajs from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, settledSaga, stack } from '../support/api.ts';
import { crashServer, startServer } from '../support/control.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { newBook, newMember } from '../support/library.ts';

const MEMBERS = 25;
const SIGNUP_BATCH = 5;
const TOPIC = 'rental.item-rented.v1';
const cluster = stack().apiUrls.length > 1;
let db: pg.Pool;
let admin: kafkajs.Admin;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
  admin = new kafkajs.Kafka({
    clientId: 'broker-kill-test',
    brokers: stack().kafkaBrokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await db?.end();
});

const leaders = async () => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions;
const sagaStatus = async (location: string, token: string) => (await api(location, { token })).body.status as string;

async function start(path: string, token: string, bookNo: number): Promise<string> {
  const accepted = await api(path, { method: 'POST', token, json: { bookNo } });
  expect(accepted.status).toBe(202);
  return accepted.headers.get('location')!;
}

describe.skipIf(!cluster)('killing a Kafka broker of the cluster', () => {
  it(`${MEMBERS * 2} sagas survive a SIGKILL of the broker leading ${TOPIC}`, async () => {
    const members: Awaited<ReturnType<typeof newMember>>[] = [];
    while (members.length < MEMBERS) members.push(...(await Promise.all(Array.from({ length: SIGNUP_BATCH }, () => newMember()))));
    // Books a few at a time too: on a loaded machine 25 parallel POST /books wait past Prisma's 2 s to start a transaction.
    const books: Awaited<ReturnType<typeof newBook>>[] = [];
    while (books.length < MEMBERS) books.push(...(await Promise.all(Array.from({ length: SIGNUP_BATCH }, () => newBook()))));

    // The broker leading the most partitions of the topic (node ids 1..3 are kafka, kafka2, kafka3).
    const before = await leaders();
    const counts = new Map<number, number>();
    for (const p of before) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    const victimId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const victim = (['kafka', 'kafka2', 'kafka3'] as const)[victimId - 1]!;

    const rentals = await Promise.all(members.map((member, i) => start('/rentals', member.token, books[i]!.bookNo)));
    // Proof of work in flight at the kill: sagas still RUNNING right before it.
    const inFlight = (await Promise.all(rentals.map((location, i) => sagaStatus(location, members[i]!.token)))).filter(
      (s) => s === 'RUNNING',
    ).length;
    const killedAt = Date.now();
    await crashServer(victim);

    const rented = await Promise.all(rentals.map((location, i) => settledSaga(location, 180_000, members[i]!.token)));
    const returns = await Promise.all(members.map((member, i) => start('/returns', member.token, books[i]!.bookNo)));
    const returned = await Promise.all(returns.map((location, i) => settledSaga(location, 180_000, members[i]!.token)));
    expect(rented.map((s) => s.status)).toEqual(Array(MEMBERS).fill('COMPLETED'));
    expect(returned.map((s) => s.status)).toEqual(Array(MEMBERS).fill('COMPLETED'));
    const sagasDoneMs = Date.now() - killedAt;

    // Leadership moves off the dead broker once the controller has fenced it (its session times out, about 9 s
    // after the kill): the sagas, which wait for no broker, may all have finished before that.
    const fenceDeadline = Date.now() + 60_000;
    while ((await leaders()).some((p) => p.leader === victimId)) {
      if (Date.now() > fenceDeadline)
        throw new Error(`${victim} still leads partitions 60 s after its kill: ${JSON.stringify(await leaders())}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const leadersMovedMs = Date.now() - killedAt;

    await startServer(victim);
    // The restarted broker catches up: back in the ISR of every partition.
    const deadline = Date.now() + 120_000;
    while (!(await leaders()).every((p) => p.isr.includes(victimId))) {
      if (Date.now() > deadline) throw new Error(`${victim} did not rejoin the ISR: ${JSON.stringify(await leaders())}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const caughtUpMs = Date.now() - killedAt;

    const memberIds = members.map((m) => m.memberId);
    const rows = await db.query(
      `SELECT (SELECT count(*) FROM rental.rental_item WHERE member_id = ANY($1::uuid[]))::int AS items,
              (SELECT count(*) FROM rental.outbox WHERE key = ANY($1::text[]) AND topic IN ('rental.item-rented.v1', 'rental.item-returned.v1'))::int AS events`,
      [memberIds],
    );
    expect(rows.rows[0]).toEqual({ items: MEMBERS, events: MEMBERS * 2 });
    // Three minutes: room for a consumer that stopped reading a partition to be found (a minute) and replaced.
    await expectInvariantsToHold({ memberIds, bookNos: books.map((b) => b.bookNo) }, 180_000);
    expect(inFlight).toBeGreaterThan(0);
    console.log(
      `cluster-broker-kill: ${MEMBERS * 2} sagas, ${inFlight} rents RUNNING at the kill of ${victim} (node ${victimId}), 1 SIGKILL; sagas done ${sagasDoneMs} ms after the kill; leaders moved off it by ${leadersMovedMs} ms; broker back in every ISR ${caughtUpMs} ms after it; 0 duplicate rows`,
    );
  }, 600_000);
});
