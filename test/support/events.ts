/** Builds envelopes the way the outbox does, checked by the zod catalog, for feeding handlers and topics in tests. */
import { randomInt, randomUUID } from 'node:crypto';
import { TOPICS, ZEnvelope, schemaVersionOf, type TEnvelope, type TPayload, type Topic } from '../../services/contracts/events.ts';

export function envelope<T extends Topic>(
  topic: T,
  payload: TPayload<T>,
  options: { occurredAt?: Date | string; aggregateId?: string } = {},
): TEnvelope<T> {
  const occurredAt =
    options.occurredAt instanceof Date ? options.occurredAt.toISOString() : (options.occurredAt ?? new Date().toISOString());
  const checked = ZEnvelope.parse({
    eventId: randomUUID(),
    type: topic,
    schemaVersion: schemaVersionOf(topic),
    occurredAt,
    aggregateId: options.aggregateId ?? aggregateIdOf(payload as Record<string, unknown>),
    payload: TOPICS[topic].parse(payload),
  });
  return checked as TEnvelope<T>;
}

/** The key the producers use: the member for member and rental events, the book for book events. */
function aggregateIdOf(payload: Record<string, unknown>): string {
  return String(payload.memberId ?? payload.bookNo);
}

/** A book number far above the catalog's serial numbers, so tests never meet real books or each other. */
export const uniqueBookNo = (): number => 1_000_000_000 + randomInt(1_000_000_000);

export const at = (iso: string): string => new Date(iso).toISOString();
