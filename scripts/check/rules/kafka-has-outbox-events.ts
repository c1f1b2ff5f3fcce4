import { OUTBOX_SCHEMAS } from '../../../services/platform/outbox.ts';
import { eventIdsSince } from '../kafka-window.ts';
import type { Rule, Violation } from '../types.ts';

export interface PublishedRow {
  schema: string;
  topic: string;
  key: string;
  event_id: string;
}

/** The published rows whose event id is not among those read from their topic. */
export function missingFromKafka(rows: PublishedRow[], seen: Map<string, Set<string>>): PublishedRow[] {
  return rows.filter((row) => !seen.get(row.topic)?.has(row.event_id));
}

/**
 * Kafka holds what the outboxes say they published: every row published in the
 * window (`CHECK_KAFKA_WINDOW_SECONDS`, default an hour) has its event id on
 * its topic. Kafka is read from a minute before the window (message times are
 * the relay's send times, a little before `published_at`).
 */
export const kafkaHoldsPublishedEvents: Rule = {
  name: 'kafka holds every published event',
  needs: ['kafka'],
  async check({ query, kafka, kafkaWindowSeconds }) {
    const until = new Date(Date.now() - 1_000); // rows marked after this may belong to a batch Kafka took after the ends were read
    const since = new Date(until.getTime() - kafkaWindowSeconds * 1000);
    const rows: PublishedRow[] = [];
    for (const schema of OUTBOX_SCHEMAS) {
      for (const row of await query(
        `SELECT topic, key, event_id::text FROM "${schema}".outbox WHERE published_at >= $1 AND published_at < $2`,
        [since, until],
      ))
        rows.push({ schema, ...(row as Omit<PublishedRow, 'schema'>) });
    }
    const topics = [...new Set(rows.map((row) => row.topic))];
    const seen = new Map(
      await Promise.all(topics.map(async (topic) => [topic, await eventIdsSince(kafka!, topic, since.getTime() - 60_000)] as const)),
    );
    return missingFromKafka(rows, seen).map(
      (row): Violation => ({
        rule: this.name,
        subject: `${row.schema}.outbox ${row.event_id}`,
        detail: `published to ${row.topic} (key ${row.key}) by the outbox, not found on the topic`,
        ...(row.schema === 'book' ? { bookNo: Number(row.key) } : { memberId: row.key }),
      }),
    );
  },
};
