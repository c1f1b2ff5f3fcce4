/**
 * Reading book.book-changed in either version. Consumers that moved to v2 read
 * the events published before v2 existed (and v1 copies still published beside
 * v2) through `upcastBookChanged`; README "Event versions" states the rule.
 */
import type { TEnvelope, TPayload } from './events.ts';

type V2 = TPayload<'book.book-changed.v2'>;

/** A book change as consumers handle it: v2, where only a v2 event knows the status. */
export type BookChangedView = Omit<TEnvelope<'book.book-changed.v2'>, 'payload'> & {
  payload: Omit<V2, 'status'> & { status?: V2['status'] };
};

/**
 * A v1 event in the v2 shape. v1 carries no change type and no status: it is read
 * as an UPDATED title and author with no status, so a consumer changes no status on
 * it. Applying the v1 and v2 copies of one change gives the same result as either
 * alone: both have the same occurredAt, titles are newest-wins, and a withdrawal is
 * only ever set, never unset.
 */
export function upcastBookChanged(event: TEnvelope<'book.book-changed.v1'>): BookChangedView {
  return { ...event, type: 'book.book-changed.v2', schemaVersion: 2, payload: { ...event.payload, change: 'UPDATED' } };
}
