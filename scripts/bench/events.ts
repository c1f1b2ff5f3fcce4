/**
 * Event lag, outbox -> read model, joined after a run: every outbox row has
 * `event_id` and `created_at`, every consumer's `processed_event` row has
 * `event_id` and `processed_at`, written in the transaction that changes the
 * read model. Both timestamps are `now()`, the start of their transaction.
 */
import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { READ_MODEL_GROUPS } from '../../services/read-models.ts';
import { OUTBOX_SCHEMAS } from '../../services/platform/outbox.ts';
import { now, sleep, summarize, type Summary } from './stats.ts';

/** The schemas whose `processed_event` table a consumer group writes. */
const CONSUMER_SCHEMAS = ['partner', 'member', 'bestbook', 'rental'] as const;

export interface EventLag {
  events: number;
  /** Outbox row -> marked published by the relay. */
  relay: Summary;
  /** Outbox row -> read model, over every (event, consumer) pair. */
  readModel: Summary;
  byConsumer: Record<string, Summary>;
  /** Events no read model consumes (topics without a consumer, e.g. auth.member-signed-up.v1). */
  unconsumedByTopic: Record<string, number>;
}

const produced = OUTBOX_SCHEMAS.map(
  (schema) => `SELECT event_id, topic, created_at, published_at FROM "${schema}".outbox WHERE created_at >= $1 AND created_at < $2`,
).join(' UNION ALL ');
const consumed = CONSUMER_SCHEMAS.map(
  (schema) => `SELECT '${schema}' AS consumer, event_id, processed_at FROM "${schema}".processed_event`,
).join(' UNION ALL ');

export async function eventLag(db: pg.Pool, from: number, to: number): Promise<EventLag> {
  const { rows } = await db.query<{
    event_id: string;
    topic: string;
    consumer: string | null;
    relay_ms: number | null;
    lag_ms: number | null;
  }>(
    `SELECT p.event_id, p.topic, c.consumer,
            extract(epoch FROM p.published_at - p.created_at) * 1000 AS relay_ms,
            extract(epoch FROM c.processed_at - p.created_at) * 1000 AS lag_ms
       FROM (${produced}) p LEFT JOIN (${consumed}) c USING (event_id)`,
    [new Date(from), new Date(to)],
  );
  const relay = new Map<string, number>();
  const byConsumer: Record<string, number[]> = {};
  const unconsumedByTopic: Record<string, number> = {};
  for (const row of rows) {
    if (row.relay_ms !== null) relay.set(row.event_id, Number(row.relay_ms));
    if (row.consumer === null) unconsumedByTopic[row.topic] = (unconsumedByTopic[row.topic] ?? 0) + 1;
    else {
      const lags = byConsumer[row.consumer] ?? [];
      lags.push(Number(row.lag_ms));
      byConsumer[row.consumer] = lags;
    }
  }
  return {
    events: new Set(rows.map((row) => row.event_id)).size,
    relay: summarize([...relay.values()]),
    readModel: summarize(Object.values(byConsumer).flat()),
    byConsumer: Object.fromEntries(Object.entries(byConsumer).map(([consumer, lags]) => [consumer, summarize(lags)])),
    unconsumedByTopic,
  };
}

export async function unpublishedRows(db: pg.Pool, olderThanMs = 0): Promise<number> {
  const counts = await Promise.all(
    OUTBOX_SCHEMAS.map((schema) =>
      db.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}".outbox WHERE published_at IS NULL AND created_at < now() - $1 * interval '1 millisecond'`,
        [olderThanMs],
      ),
    ),
  );
  return counts.reduce((sum, { rows }) => sum + Number(rows[0]!.n), 0);
}

/** Messages the read-model consumer groups have not committed yet. */
async function consumerLag(admin: Admin): Promise<number> {
  let lag = 0;
  for (const groupId of Object.values(READ_MODEL_GROUPS)) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const { partition, offset } of partitions) {
        const end = ends.find((entry) => entry.partition === partition)!;
        lag += Number(end.high) - Number(offset === '-1' ? end.low : offset);
      }
    }
  }
  return lag;
}

/** Waits until every outbox row is published and every consumer group has caught up; false on timeout. */
export async function waitForEventsSettled(db: pg.Pool, admin: Admin, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if ((await unpublishedRows(db)) === 0 && (await consumerLag(admin)) === 0) return true;
    await sleep(250);
  }
  return false;
}
