import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.ts';
import { TOPICS, schemaVersionOf, type NewEvent, type TEnvelope, type Topic } from '../contracts/events.ts';
import type { Tx } from './db.ts';
import { activeTraceparent } from './tracing.ts';

/** The services that own an outbox table (`<schema>.outbox`). */
export const OUTBOX_SCHEMAS = ['auth', 'member', 'book', 'rental'] as const;
export type OutboxSchema = (typeof OUTBOX_SCHEMAS)[number];
export const OUTBOX_CHANNEL = 'outbox';

/**
 * Writes events into the service's outbox inside the caller's transaction, so
 * they commit (or vanish) with the state change. NOTIFY is transactional too:
 * the relay is woken only when the rows are visible.
 */
export async function appendToOutbox(tx: Tx, schema: OutboxSchema, events: NewEvent[], now = new Date()): Promise<void> {
  if (events.length === 0) return;
  // The active span (an activity, an HTTP request): the relay's publish span and the consumer's span continue its trace.
  const traceparent = activeTraceparent();
  const rows = events.map((event) => {
    const envelope: TEnvelope = {
      eventId: randomUUID(),
      type: event.topic,
      schemaVersion: schemaVersionOf(event.topic),
      occurredAt: now.toISOString(),
      aggregateId: event.aggregateId,
      payload: TOPICS[event.topic as Topic].parse(event.payload),
      ...(traceparent ? { traceparent } : {}),
    };
    return Prisma.sql`(${envelope.eventId}::uuid, ${event.topic}, ${event.aggregateId}, ${JSON.stringify(envelope)}::jsonb)`;
  });
  // One round trip: the rows (in the order given, so `seq` keeps it) and the relay's wake-up call.
  await tx.$executeRaw`
    WITH inserted AS (
      INSERT INTO ${Prisma.raw(`"${schema}".outbox`)} (event_id, topic, key, envelope) VALUES ${Prisma.join(rows)} RETURNING 1
    )
    SELECT pg_notify(${OUTBOX_CHANNEL}, ${schema}) FROM (SELECT 1 FROM inserted LIMIT 1) AS one`;
}
