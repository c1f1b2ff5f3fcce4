import { z } from 'zod';

/**
 * Every Kafka topic and the zod schema of its payload, in one place. Producers
 * and consumers both use this catalog, so a wrong payload does not compile and
 * a bad message does not parse. Payloads carry ids and what consumers need:
 * never a password, a hash of one, or contact data.
 */
export const TOPICS = {
  'auth.member-signed-up.v1': z.object({
    memberId: z.uuid(),
    role: z.enum(['USER', 'PARTNER']),
    signedUpAt: z.iso.datetime(),
  }),
  /** No nickname: an erased member must not live on in the outbox or the topic. */
  'member.partner-registered.v1': z.object({
    memberId: z.uuid(),
    registeredAt: z.iso.datetime(),
  }),
  /**
   * A book was added, edited or withdrawn. Key: bookNo. Superseded by .v2 and still
   * published beside it (dual publishing, README "Event versions") for consumers that read v1.
   */
  'book.book-changed.v1': z.object({
    bookNo: z.number().int().positive(),
    title: z.string(),
    author: z.string(),
  }),
  /** v1 plus what changed and the status after the change. Key: bookNo. */
  'book.book-changed.v2': z.object({
    bookNo: z.number().int().positive(),
    title: z.string(),
    author: z.string(),
    change: z.enum(['CREATED', 'UPDATED', 'WITHDRAWN']),
    status: z.enum(['AVAILABLE', 'RENTED', 'WITHDRAWN']),
  }),
  /** A loan began (after the rent saga's pivot). Key: memberId, so one member's loans stay ordered. */
  'rental.item-rented.v1': z.object({
    rentalId: z.uuid(),
    memberId: z.uuid(),
    bookNo: z.number().int().positive(),
    title: z.string(),
    rentedAt: z.iso.datetime(),
    dueAt: z.iso.datetime(),
  }),
  'rental.item-returned.v1': z.object({
    rentalId: z.uuid(),
    memberId: z.uuid(),
    bookNo: z.number().int().positive(),
    returnedAt: z.iso.datetime(),
    lateFee: z.number().int().nonnegative(),
  }),
  /** A loan passed its due date while the book was still out; the card is suspended. */
  'rental.item-overdue.v1': z.object({
    rentalId: z.uuid(),
    memberId: z.uuid(),
    bookNo: z.number().int().positive(),
    dueAt: z.iso.datetime(),
  }),
  /** A loan's due date is near (the loan timer's reminder) and the book is still out. Key: memberId. */
  'rental.item-due-soon.v1': z.object({
    rentalId: z.uuid(),
    memberId: z.uuid(),
    bookNo: z.number().int().positive(),
    dueAt: z.iso.datetime(),
  }),
  /** A member was erased: read models forget everything they hold about them. Key: memberId. */
  'member.member-erased.v1': z.object({
    memberId: z.uuid(),
    erasedAt: z.iso.datetime(),
  }),
  'rental.overdue-cleared.v1': z.object({
    clearanceId: z.uuid(),
    memberId: z.uuid(),
    amount: z.number().int().nonnegative(),
  }),
  /**
   * An admin settled a member's late fee: `pointsPaid` of `amount` came from the points, the
   * rest was paid at the desk or waived, as `reason` says. Key: memberId.
   */
  'rental.fee-settled.v1': z.object({
    settlementId: z.uuid(),
    memberId: z.uuid(),
    amount: z.number().int().positive(),
    pointsPaid: z.number().int().nonnegative(),
    reason: z.string(),
  }),
} as const;

export type Topic = keyof typeof TOPICS;
export type TPayload<T extends Topic> = z.infer<(typeof TOPICS)[T]>;
export const ALL_TOPICS = Object.keys(TOPICS) as Topic[];
export const deadLetterTopic = (topic: Topic): string => `${topic}.dlq`;

/** The envelope every message carries; `payload` is checked against the topic's schema. */
export const ZEnvelope = z.object({
  eventId: z.uuid(),
  type: z.string(),
  schemaVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  aggregateId: z.string().min(1),
  payload: z.unknown(),
  /** W3C trace context of the span that wrote the event (services/platform/tracing.ts); the relay sends it as a Kafka header too. */
  traceparent: z.string().max(128).optional(),
});
export type TEnvelope<T extends Topic = Topic> = Omit<z.infer<typeof ZEnvelope>, 'payload' | 'type'> & {
  type: T;
  payload: TPayload<T>;
};

/**
 * A new event of `topic`, keyed by its aggregate id so one aggregate's events
 * stay ordered. Distributive over the topics: `NewEvent` is the union of one
 * `{topic, payload}` pair per topic, so a payload that belongs to another
 * topic does not compile (events.types.test.ts proves it).
 */
export type NewEvent<T extends Topic = Topic> = {
  [K in T]: { topic: K; aggregateId: string; payload: TPayload<K> };
}[T];

/** Whether an envelope is of `topic`: its type names the topic (parseEnvelope checks the payload against that topic's schema). */
export function isEventOf<T extends Topic>(topic: T, event: TEnvelope): event is TEnvelope<T> {
  return event.type === topic;
}

export function schemaVersionOf(topic: Topic): number {
  return Number(topic.slice(topic.lastIndexOf('.v') + 2));
}

/** Parses a raw message value into a typed envelope, or explains why it cannot. */
export function parseEnvelope<T extends Topic>(topic: T, raw: string): { ok: true; event: TEnvelope<T> } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'value is not JSON' };
  }
  const envelope = ZEnvelope.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `bad envelope: ${z.prettifyError(envelope.error)}` };
  if (envelope.data.type !== topic) return { ok: false, reason: `type ${envelope.data.type} on topic ${topic}` };
  if (envelope.data.schemaVersion !== schemaVersionOf(topic)) {
    return { ok: false, reason: `unknown schema version ${envelope.data.schemaVersion}` };
  }
  const payload = TOPICS[topic].safeParse(envelope.data.payload);
  if (!payload.success) return { ok: false, reason: `bad payload: ${z.prettifyError(payload.error)}` };
  return { ok: true, event: { ...envelope.data, type: topic, payload: payload.data as TPayload<T> } };
}
