/**
 * Every connection between the app processes and Kafka is reset (TCP RST,
 * Toxiproxy's reset_peer on the broker's answers) for 15 s, while work is
 * provably in flight on both sides of the broker: rent sagas held inside a
 * step complete during the window and write their events to the outbox; the
 * relay's first batch reaches the broker but its answer is reset, so the
 * relay does not know it was taken; 8 more members rent during the window
 * (more rows in the same partitions: with 8 s test loans the held members'
 * cards may already be suspended as overdue), so the relay's next batch holds
 * those rows and more (an idempotent
 * producer that kept its sequence numbers is refused as out of order from
 * then on: the relay must start a new producer). Events put on the topics
 * directly (the test's own client is not behind the proxy) wait there for the
 * consumers. When the resets stop, the relay and the consumers recover by
 * themselves: every event arrives once in effect, nothing is parked, and
 * every invariant holds.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, settledSaga, stack } from '../support/api.ts';
import { envelope, uniqueBookNo } from '../support/events.ts';
import { heldStepHistories, rentsHeldInAwardPoints, settleHeld } from '../support/in-flight.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { connectTestProducer, readTopic } from '../support/kafka.ts';
import { newBook, newMember } from '../support/library.ts';
import { addToxic, bytesThrough, deadLetterMessages, removeToxic, resetProxies } from '../support/toxiproxy.ts';

const RESET_MS = 15_000;
let producer: Producer;
let db: pg.Pool;
beforeAll(async () => {
  producer = await connectTestProducer(stack().kafkaBrokers);
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await resetProxies();
  await producer.disconnect();
  await db.end();
});

describe('Kafka connections reset for 15 s', () => {
  it('the relay and the consumers recover; every event arrives once in effect; no dead letter', async () => {
    const lettersBefore = await deadLetterMessages();
    // Members and books for 8 more rents during the window; made now, through the relay and the consumers, so
    // the relay's connection and metadata are fresh: its first send in the window reaches the broker. Other members
    // than the held ones: a held member's first loan (8 s in the test stack) may be overdue, its card suspended, by then.
    const secondMembers = await Promise.all(Array.from({ length: 8 }, () => newMember()));
    const secondBooks: { bookNo: number }[] = [];
    for (let i = 0; i < 8; i++) secondBooks.push(await newBook());
    const held = await rentsHeldInAwardPoints(8, 3_000);
    const memberIds = [...held.members, ...secondMembers].map((m) => m.memberId);
    const bytesBefore = await bytesThrough('kafka');
    const ours = new Set(memberIds);
    const oursOnTopic = async () =>
      (await readTopic(stack().kafkaBrokers, 'rental.item-rented.v1')).filter((message) => ours.has(message.key ?? ''));

    await addToxic('kafka', { name: 'resets', type: 'reset_peer', attributes: { timeout: 0 } });
    const onAt = Date.now();
    // For the consumers: 20 loans (20 item-rented + 20 item-returned events) on the topics while their connections are reset.
    const loans = Array.from({ length: 20 }, (_, i) => ({ rentalId: randomUUID(), memberId: randomUUID(), bookNo: uniqueBookNo(), i }));
    for (const topic of ['rental.item-rented.v1', 'rental.item-returned.v1'] as const) {
      for (const { rentalId, memberId, bookNo } of loans) {
        const event =
          topic === 'rental.item-rented.v1'
            ? envelope(topic, {
                rentalId,
                memberId,
                bookNo,
                title: 'Reset Time',
                rentedAt: new Date().toISOString(),
                dueAt: new Date(Date.now() + 86_400_000).toISOString(),
              })
            : envelope(topic, { rentalId, memberId, bookNo, returnedAt: new Date().toISOString(), lateFee: 0 });
        await producer.send({ topic, acks: -1, messages: [{ key: memberId, value: JSON.stringify(event) }] });
      }
    }
    // The held sagas need no Kafka: they complete during the window, their events go to the outboxes.
    expect(await settleHeld(held, 120_000)).toEqual(Array(held.workflowIds.length).fill('COMPLETED'));
    const steps = await heldStepHistories(held.workflowIds);
    for (const step of steps) expect(step.scheduledAt.getTime()).toBeLessThan(onAt);
    // More rents: more rows in the same partitions (8 keys over 3) behind the batch the broker may have taken.
    const second = await Promise.all(
      secondMembers.map((member, i) => api('/rentals', { method: 'POST', token: member.token, json: { bookNo: secondBooks[i]!.bookNo } })),
    );
    const secondSagas = await Promise.all(
      second.map((response, i) => settledSaga(response.headers.get('location')!, 120_000, secondMembers[i]!.token)),
    );
    expect(
      secondSagas.map((saga) => saga.status),
      JSON.stringify(secondSagas.filter((saga) => saga.status !== 'COMPLETED')),
    ).toEqual(Array(secondMembers.length).fill('COMPLETED'));
    expect(Date.now() - onAt).toBeLessThan(RESET_MS);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, RESET_MS - (Date.now() - onAt))));

    // In flight at the end of the window: the relay has marked none of the sagas' events published (a batch the
    // broker took came back as a reset), and the consumers have applied none of the events on the topics (the
    // app's traffic goes through the proxy).
    const rents = memberIds.length;
    const unpublished = await db.query(
      `SELECT count(*)::int AS n FROM rental.outbox WHERE key = ANY($1::text[]) AND topic = 'rental.item-rented.v1' AND published_at IS NULL`,
      [memberIds],
    );
    expect(unpublished.rows[0].n).toBe(rents);
    // Rows the broker took while the relay heard only resets (when its first send of the window got through).
    const takenUnacknowledged = (await oursOnTopic()).length;
    const rentalIds = loans.map((loan) => loan.rentalId);
    const applied = async () =>
      (
        await db.query(
          'SELECT count(*)::int AS n FROM member.rental_history WHERE rental_id = ANY($1::uuid[]) AND returned_at IS NOT NULL',
          [rentalIds],
        )
      ).rows[0].n as number;
    expect(await applied()).toBe(0);
    await removeToxic('kafka', 'resets');
    const offAt = Date.now();

    // Recovery: the consumers apply each event on the topics once, the relay publishes the outboxes.
    await eventually(async () => ((await applied()) === loans.length ? true : undefined), 120_000);
    const consumersBackMs = Date.now() - offAt;
    await eventually(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM rental.outbox WHERE key = ANY($1::text[]) AND topic = 'rental.item-rented.v1' AND published_at IS NOT NULL`,
        [memberIds],
      );
      return rows[0].n === rents ? true : undefined;
    }, 120_000);
    const relayBackMs = Date.now() - offAt;
    await expectInvariantsToHold({ memberIds, bookNos: [...held.books, ...secondBooks].map((b) => b.bookNo) }, 120_000);
    const consistentMs = Date.now() - offAt;

    // Once in effect: one history row per loan (each returned once), one rent counted per book and per member.
    const history = await db.query('SELECT count(*)::int AS n FROM member.rental_history WHERE rental_id = ANY($1::uuid[])', [rentalIds]);
    expect(history.rows[0].n).toBe(loans.length);
    const counts = await db.query(
      'SELECT coalesce(sum(rent_count), 0)::int AS n FROM bestbook.book_rent_count WHERE book_no = ANY($1::int[])',
      [loans.map((l) => l.bookNo)],
    );
    expect(counts.rows[0].n).toBe(loans.length);
    await eventually(async () => {
      const partners = await db.query(
        'SELECT coalesce(sum(rent_count), 0)::int AS rents, coalesce(sum(return_count), 0)::int AS returns FROM partner.partner_summary WHERE member_id = ANY($1::uuid[])',
        [loans.map((l) => l.memberId)],
      );
      return partners.rows[0].rents === loans.length && partners.rows[0].returns === loans.length ? true : undefined;
    }, 60_000);
    // The sagas' events: on the topic at least once (a batch the broker took unacknowledged may be sent again by a new producer), applied once (the invariants).
    const copies = await oursOnTopic();
    const eventIds = new Set(copies.map((message) => (JSON.parse(message.value ?? '{}') as { eventId?: string }).eventId));
    expect(eventIds.size).toBe(rents);
    expect(copies.length).toBeGreaterThanOrEqual(rents);

    expect(await deadLetterMessages()).toBe(lettersBefore);
    const passed = (await bytesThrough('kafka')) - bytesBefore;
    console.log(
      `kafka resets ${RESET_MS / 1000} s: ${held.workflowIds.length} sagas held in a step + ${secondMembers.length} more rents during it (${rents} events waiting in the outbox, ` +
        `${takenUnacknowledged} of them taken by the broker unacknowledged) + ${loans.length * 2} events waiting on the topics; ` +
        `consumers applied them ${consumersBackMs} ms, relay published ${relayBackMs} ms, invariants holding ${consistentMs} ms after the resets stopped; ` +
        `${copies.length} copies of ${eventIds.size} item-rented events on the topic; ${passed} bytes through the proxy; dead letters +0`,
    );
  }, 420_000);
});
