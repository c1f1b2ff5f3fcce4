/**
 * What consumers do with messages Kafka's design would never deliver to them
 * (twice, or out of order per key) and with messages nobody can handle.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters, redriveDeadLetters } from '../../scripts/dead-letters.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { eventually, stack } from '../support/api.ts';
import { envelope, uniqueBookNo } from '../support/events.ts';

let producer: Producer;
let db: pg.Pool;
beforeAll(async () => {
  producer = new Kafka({ brokers: stack().kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await producer.disconnect();
  await db.end();
});

const send = (topic: string, key: string, value: string, headers: Record<string, string> = {}) =>
  producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });

async function history(rentalId: string) {
  return (await db.query('SELECT book_no, title, returned_at FROM member.rental_history WHERE rental_id = $1', [rentalId])).rows[0];
}

function loanEvents() {
  const memberId = randomUUID();
  const rentalId = randomUUID();
  const bookNo = uniqueBookNo();
  const rented = envelope('rental.item-rented.v1', { rentalId, memberId, bookNo, title: 'Poison Tales', rentedAt: new Date().toISOString(), dueAt: new Date(Date.now() + 86_400_000).toISOString() });
  const returned = envelope('rental.item-returned.v1', { rentalId, memberId, bookNo, returnedAt: new Date().toISOString(), lateFee: 0 });
  return { memberId, rentalId, bookNo, rented, returned };
}

describe('consumers', () => {
  it('park invalid JSON and an unknown schema version on the DLQ, and the partition moves on', async () => {
    const { memberId, rentalId, rented } = loanEvents();
    const unknownVersion = { ...rented, eventId: randomUUID(), schemaVersion: 2 };
    // Same key: same partition, in this order. The valid event behind the poison must still be applied.
    await send('rental.item-rented.v1', memberId, '{"not json', { 'trace-id': 'poison-1' });
    await send('rental.item-rented.v1', memberId, JSON.stringify(unknownVersion));
    await send('rental.item-rented.v1', memberId, JSON.stringify(rented));
    await eventually(async () => (await history(rentalId)) ?? undefined, 30_000);

    const kafka = createKafka({ brokers: stack().kafkaBrokers.split(','), clientId: 'test-dlq', logger: createLogger({ name: 'test', level: 'silent' }) });
    const letters = await eventually(async () => {
      const ours = (await listDeadLetters(kafka, ['rental.item-rented.v1'])).filter((letter) => letter.key === memberId);
      return ours.filter((letter) => letter.headers['dlq-consumer-group']?.toString() === 'member-history').length >= 2 ? ours : undefined;
    }, 30_000);
    const reasons = letters.filter((l) => l.headers['dlq-consumer-group']?.toString() === 'member-history').map((letter) => letter.reason);
    expect(reasons).toEqual(expect.arrayContaining(['value is not JSON', 'unknown schema version 2']));
    const poison = letters.find((letter) => letter.reason === 'value is not JSON')!;
    expect(poison.headers['trace-id']?.toString()).toBe('poison-1'); // original headers travel with it
    expect(await redriveDeadLetters(kafka, 'rental.item-rented.v1')).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('apply an event delivered twice once', async () => {
    const { memberId, bookNo, rented } = loanEvents();
    await send('rental.item-rented.v1', memberId, JSON.stringify(rented));
    await send('rental.item-rented.v1', memberId, JSON.stringify(rented));
    const count = await eventually(async () => {
      const row = (await db.query('SELECT rent_count FROM bestbook.book_rent_count WHERE book_no = $1', [bookNo])).rows[0];
      return row?.rent_count as number | undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // give the duplicate its chance
    expect((await db.query('SELECT rent_count FROM bestbook.book_rent_count WHERE book_no = $1', [bookNo])).rows[0].rent_count).toBe(count);
    expect(count).toBe(1);
  });

  it('end in the right state when a return arrives before its rent (topics are not ordered with each other)', async () => {
    const { memberId, rentalId, bookNo, rented, returned } = loanEvents();
    await send('rental.item-returned.v1', memberId, JSON.stringify(returned));
    await eventually(async () => (await history(rentalId)) ?? undefined);
    await send('rental.item-rented.v1', memberId, JSON.stringify(rented));
    const row = await eventually(async () => {
      const current = await history(rentalId);
      return current?.title === 'Poison Tales' ? current : undefined;
    });
    expect(row).toMatchObject({ book_no: bookNo, returned_at: new Date(returned.payload.returnedAt) });
  });
});
