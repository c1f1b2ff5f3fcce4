/**
 * Consumer lag and dead-letter topic sizes for the metrics, read with the
 * Kafka admin API every 15 s (not at scrape time: a scrape must not wait for a
 * broker that is down). Every consumers process reports its groups' lag for all
 * partitions, so take the max over processes, not the sum.
 */
import type { Admin, Kafka } from 'kafkajs';
import { deadLetterTopic, type Topic } from '../contracts/events.ts';
import type { Logger } from './logger.ts';
import { consumerLag, deadLetterTopicMessages } from './metrics.ts';
import type { PartitionReading } from './stuck-partitions.ts';

export interface LagMonitorOptions {
  kafka: Kafka;
  groups: { groupId: string; topics: Topic[] }[];
  logger: Logger;
  intervalMs?: number;
  /** Each round's committed and high offsets per group and partition (stuck-partitions.ts reads them). */
  onReadings?: (readings: PartitionReading[]) => void;
}

export interface LagMonitor {
  /** Reads the offsets now (also done every interval). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLagMonitor(options: LagMonitorOptions): Promise<LagMonitor> {
  const admin: Admin = options.kafka.admin();
  let connected = false;
  let stopped = false;

  async function refresh(): Promise<void> {
    if (!connected) {
      await admin.connect();
      connected = true;
    }
    const topics = [...new Set(options.groups.flatMap((group) => group.topics))];
    const watermarks = new Map(await Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)));
    const readings: PartitionReading[] = [];
    for (const { groupId, topics: groupTopics } of options.groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: groupTopics })) {
        for (const { partition, offset } of partitions) {
          const marks = watermarks.get(topic as Topic)?.find((candidate) => candidate.partition === partition);
          if (!marks) continue;
          // No committed offset yet: the group starts from the beginning, so everything retained is behind.
          const committed = Number(offset) >= 0 ? Number(offset) : Number(marks.low);
          consumerLag.set({ group: groupId, topic, partition: String(partition) }, Math.max(0, Number(marks.high) - committed));
          readings.push({ groupId, topic, partition, committed, high: Number(marks.high) });
        }
      }
    }
    options.onReadings?.(readings);
    for (const topic of topics) {
      const dlq = deadLetterTopic(topic);
      const marks = await admin.fetchTopicOffsets(dlq);
      deadLetterTopicMessages.set(
        { topic: dlq },
        marks.reduce((sum, mark) => sum + Number(mark.high) - Number(mark.low), 0),
      );
    }
  }

  const refreshQuietly = () =>
    refresh().catch((error: unknown) => options.logger.debug({ err: error }, 'consumer lag not read; the gauges keep their last values'));
  await refreshQuietly();
  const timer = setInterval(() => {
    if (!stopped) void refreshQuietly();
  }, options.intervalMs ?? 15_000);
  timer.unref();
  return {
    refresh,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (connected) await admin.disconnect().catch(() => {});
    },
  };
}
