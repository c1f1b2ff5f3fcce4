/**
 * What consumers do with messages Kafka's design would never deliver to them
 * (twice, or out of order per key) and with messages nobody can handle.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardDeadLetters, listDeadLetters, redriveDeadLetters } from '../../scripts/dead-letters.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { eventually, stack } from '../support/api.ts';
import { connectTestProducer } from '../support/kafka.ts';
import { envelope, uniqueBookNo } from '../support/events.ts';

let producer: Producer;
let db: pg.Pool;
beforeAll(async () => {
  producer = await connectTestProducer(stack().kafkaBrokers);
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
  const rented = envelope('rental.item-rented.v1', {
    rentalId,
    memberId,
    bookNo,
    title: 'Poison Tales',
    rentedAt: new Date().toISOString(),
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
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

    const kafka = createKafka({
      brokers: stack().kafkaBrokers.split(','),
      clientId: 'test-dlq',
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    const letters = await eventually(async () => {
      const ours = (await listDeadLetters(kafka, ['rental.item-rented.v1'])).filter((letter) => letter.key === memberId);
      // Each group parks on its own time: wait for member-history's two letters and a letter of every other group.
      const groups = new Set(ours.map((letter) => letter.group));
      const everyGroup = ['best-book', 'partner-summary', 'notifications'].every((group) => groups.has(group));
      return everyGroup && ours.filter((letter) => letter.group === 'member-history').length >= 2 ? ours : undefined;
    }, 30_000);
    // Every group that reads the topic parks its own letter, and `list` names the group.
    expect(new Set(letters.map((letter) => letter.group))).toEqual(
      new Set(['member-history', 'best-book', 'partner-summary', 'notifications']),
    );
    const reasons = letters.filter((l) => l.group === 'member-history').map((letter) => letter.reason);
    expect(reasons).toEqual(expect.arrayContaining(['value is not JSON', 'unknown schema version 2']));
    const poison = letters.find((letter) => letter.reason === 'value is not JSON')!;
    expect(poison.headers['trace-id']).toBe('poison-1'); // original headers travel with it
    expect(letters.every((letter) => letter.status === 'unhandled')).toBe(true);

    // Re-driven for member-history only: that group parks them again (still poison), the others skip them.
    const before = letters.length;
    const { sent } = await redriveDeadLetters(kafka, 'rental.item-rented.v1', 'member-history');
    expect(sent).toBeGreaterThanOrEqual(2);
    const after = await eventually(async () => {
      const ours = (await listDeadLetters(kafka, ['rental.item-rented.v1'])).filter((letter) => letter.key === memberId);
      return ours.length >= before + 2 ? ours : undefined;
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // a wrongly re-parking group would show by now
    const again = (await listDeadLetters(kafka, ['rental.item-rented.v1'])).filter((letter) => letter.key === memberId);
    expect(again.length).toBe(before + 2);
    expect(after.filter((letter) => letter.status === 'redriven').map((letter) => letter.group)).toEqual([
      'member-history',
      'member-history',
    ]);
    expect(again.filter((letter) => letter.status === 'unhandled' && letter.group === 'member-history')).toHaveLength(2);

    // Discarded with a reason: kept beside the letter, and the letter no longer counts as unhandled.
    for (const letter of (await listDeadLetters(kafka, ['rental.item-rented.v1'])).filter(
      (l) => l.key === memberId && l.status === 'unhandled',
    )) {
      expect(await discardDeadLetters(kafka, 'rental.item-rented.v1', letter.position, 'poison sent by the fault test')).toBe(1);
    }
    const settled = (await listDeadLetters(kafka, ['rental.item-rented.v1'])).filter((letter) => letter.key === memberId);
    expect(settled.filter((letter) => letter.status === 'unhandled')).toEqual([]);
    expect(
      settled.filter((letter) => letter.status === 'discarded').every((letter) => letter.note === 'poison sent by the fault test'),
    ).toBe(true);
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
