/**
 * Compile-time checks of the event catalog's types: `tsc -p .` (run by
 * `npm test` and CI) fails when a `@ts-expect-error` line below compiles.
 */
import { describe, expect, it } from 'vitest';
import { type NewEvent, parseEnvelope, type Topic } from './events.ts';

const rented: NewEvent = {
  topic: 'rental.item-rented.v1',
  aggregateId: 'member-1',
  payload: {
    rentalId: '00000000-0000-4000-8000-000000000001',
    memberId: '00000000-0000-4000-8000-000000000002',
    bookNo: 1,
    title: 'Dune',
    rentedAt: '2026-11-30T00:00:00.000Z',
    dueAt: '2026-12-14T00:00:00.000Z',
  },
};

// @ts-expect-error a book-changed payload does not belong on the item-rented topic
const misplaced: NewEvent = { topic: 'rental.item-rented.v1', aggregateId: '1', payload: { bookNo: 1, title: 'Dune', author: 'Herbert' } };

// @ts-expect-error a payload missing a field of its own topic does not compile
const incomplete: NewEvent<'member.member-erased.v1'> = { topic: 'member.member-erased.v1', aggregateId: 'm', payload: { memberId: 'm' } };

// @ts-expect-error a topic that is not in the catalog does not compile
const unknownTopic: Topic = 'rental.item-lost.v1';

describe('the event catalog', () => {
  it('parses what the types describe', () => {
    const raw = JSON.stringify({
      eventId: '00000000-0000-4000-8000-000000000003',
      type: rented.topic,
      schemaVersion: 1,
      occurredAt: '2026-11-30T00:00:00.000Z',
      aggregateId: rented.aggregateId,
      payload: rented.payload,
    });
    expect(parseEnvelope('rental.item-rented.v1', raw).ok).toBe(true);
    expect(parseEnvelope('rental.item-rented.v1', JSON.stringify({ ...JSON.parse(raw), payload: misplaced.payload })).ok).toBe(false);
    expect([incomplete.topic, unknownTopic]).toHaveLength(2);
  });
});
