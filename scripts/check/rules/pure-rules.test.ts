import { describe, expect, it } from 'vitest';
import { lagOf } from './consumer-lag.ts';
import { unhandledLetters } from './dead-letters.ts';
import { missingFromKafka } from './kafka-has-outbox-events.ts';
import { describeHistoryMismatch } from './read-model-history.ts';

describe('history rule', () => {
  it('calls a missing row missing', () => {
    expect(describeHistoryMismatch({ rental_id: 'r', member_id: 'm', returned_by_events: true, has_row: false, returned_at: null })).toBe(
      'history row missing, events say rented and returned',
    );
    expect(describeHistoryMismatch({ rental_id: 'r', member_id: 'm', returned_by_events: false, has_row: false, returned_at: null })).toBe(
      'history row missing, events say rented',
    );
  });
  it('tells a wrong return from a row without events', () => {
    expect(describeHistoryMismatch({ rental_id: 'r', member_id: 'm', returned_by_events: true, has_row: true, returned_at: null })).toBe(
      'history row returned_at null, events say returned=true',
    );
    expect(
      describeHistoryMismatch({
        rental_id: 'r',
        member_id: 'm',
        returned_by_events: null,
        has_row: true,
        returned_at: new Date('2026-01-01T00:00:00Z'),
      }),
    ).toBe('history row with no item-rented event (returned_at 2026-01-01T00:00:00.000Z)');
  });
});

describe('Kafka against the outboxes', () => {
  it('reports published rows whose event id is not on their topic', () => {
    const rows = [
      { schema: 'rental', topic: 'rental.item-rented.v1', key: 'm1', event_id: 'e1' },
      { schema: 'rental', topic: 'rental.item-rented.v1', key: 'm2', event_id: 'e2' },
      { schema: 'book', topic: 'book.book-changed.v1', key: '7', event_id: 'e3' },
    ];
    const seen = new Map([
      ['rental.item-rented.v1', new Set(['e1', 'e3'])],
      ['book.book-changed.v1', new Set(['e2'])],
    ]);
    expect(missingFromKafka(rows, seen).map((row) => row.event_id)).toEqual(['e2', 'e3']);
    expect(missingFromKafka(rows, new Map())).toHaveLength(3);
  });
});

describe('consumer lag', () => {
  it('counts from the committed offset, or from the start when the group committed nothing', () => {
    expect(lagOf({ topic: 't', partition: 0, low: 0, high: 10, committed: 10 })).toBe(0);
    expect(lagOf({ topic: 't', partition: 0, low: 0, high: 10, committed: 7 })).toBe(3);
    expect(lagOf({ topic: 't', partition: 0, low: 4, high: 10, committed: -1 })).toBe(6);
  });
});

describe('dead letters', () => {
  it('counts only unhandled letters of the read models', () => {
    const letters = [
      { group: 'member-history', status: 'unhandled' as const },
      { group: 'member-history', status: 'redriven' as const },
      { group: 'best-book', status: 'discarded' as const },
      { group: 'partner-summary', status: 'unhandled' as const },
      { group: 'test-live-1', status: 'unhandled' as const },
    ];
    expect(unhandledLetters(letters).map((letter) => letter.group)).toEqual(['member-history', 'partner-summary']);
  });
});
