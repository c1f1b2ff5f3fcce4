/** Reads the event ids a topic holds from a point in time up to its end offsets now (a throwaway group, nothing committed). */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export async function eventIdsSince(kafka: Kafka, topic: string, sinceMs: number): Promise<Set<string>> {
  const admin = kafka.admin();
  await admin.connect();
  const ids = new Set<string>();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    const starts = new Map((await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs)).map((p) => [p.partition, Number(p.offset)]));
    const pending = [...ends]
      .filter(([partition, high]) => high > Math.max(0, starts.get(partition) ?? high))
      .map(([partition]) => partition);
    if (pending.length === 0) return ids;
    const groupId = `check-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition) ?? 0;
            for (const message of batch.messages) {
              if (Number(message.offset) >= end) break;
              try {
                const eventId = (JSON.parse(message.value?.toString('utf8') ?? '') as { eventId?: unknown }).eventId;
                if (typeof eventId === 'string') ids.add(eventId);
              } catch {
                // Not JSON: not an outbox row's event (a poison message a test sent).
              }
            }
            if (Number(batch.lastOffset()) + 1 >= end) done.add(batch.partition);
            if (pending.every((p) => done.has(p))) resolve();
          },
        })
        .catch(reject);
      for (const partition of pending) consumer.seek({ topic, partition, offset: String(Math.max(0, starts.get(partition) ?? 0)) });
    });
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
    return ids;
  } finally {
    await admin.disconnect();
  }
}
