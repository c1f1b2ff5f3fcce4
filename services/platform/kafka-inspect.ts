/**
 * Read-only views of the broker for operators (the events CLI and the /ops
 * console): topics with their partitions, offsets and retention, each consumer
 * group's lag, and the last events of a topic decoded as envelopes.
 */
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Kafka, type KafkaMessage } from 'kafkajs';
import { ZEnvelope, type TEnvelope } from '../contracts/events.ts';

export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  /** First offset still retained and the next offset to be written. */
  low: string;
  high: string;
}

export interface TopicView {
  topic: string;
  partitions: PartitionView[];
  retentionMs: string | undefined;
  messages: number;
}

export interface GroupLag {
  groupId: string;
  topic: string;
  /** Messages behind, summed over the partitions. */
  lag: number;
}

/** Throwaway groups of operator tools (tail, dead-letter listing, the console): not worth a line of lag. */
export const isToolGroup = (groupId: string) => /^(events-tail|events-read|dlq-list)-/.test(groupId);

export async function describeTopics(admin: Admin, only?: string[]): Promise<TopicView[]> {
  const names = (only ?? (await admin.listTopics())).filter((name) => !name.startsWith('__')).sort();
  if (names.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
  });
  const retention = new Map(configs.resources.map((resource) => [resource.resourceName, resource.configEntries[0]?.configValue]));
  return Promise.all(
    topics
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (topic) => {
        const offsets = new Map((await admin.fetchTopicOffsets(topic.name)).map((offset) => [offset.partition, offset]));
        const partitions = topic.partitions
          .map((p) => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            low: offsets.get(p.partitionId)?.low ?? '0',
            high: offsets.get(p.partitionId)?.high ?? '0',
          }))
          .sort((a, b) => a.partition - b.partition);
        const messages = partitions.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        return { topic: topic.name, partitions, retentionMs: retention.get(topic.name), messages };
      }),
  );
}

/** Every consumer group's lag per topic (high watermark minus its committed offset; nothing committed = all retained). */
export async function consumerGroupLags(admin: Admin): Promise<GroupLag[]> {
  const { groups } = await admin.listGroups();
  const lags: GroupLag[] = [];
  for (const { groupId } of groups.filter((group) => !isToolGroup(group.groupId)).sort((a, b) => a.groupId.localeCompare(b.groupId))) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      const marks = new Map((await admin.fetchTopicOffsets(topic)).map((mark) => [mark.partition, mark]));
      const lag = partitions.reduce((sum, { partition, offset }) => {
        const mark = marks.get(partition);
        if (!mark) return sum;
        const committed = Number(offset) >= 0 ? Number(offset) : Number(mark.low);
        return sum + Math.max(0, Number(mark.high) - committed);
      }, 0);
      lags.push({ groupId, topic, lag });
    }
  }
  return lags;
}

export interface EventView {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  timestamp: string;
  /** The decoded envelope, or undefined when the value is not one (see `raw`). */
  envelope?: TEnvelope | undefined;
  raw?: string;
  headers: Record<string, string>;
}

export function decodeMessage(topic: string, partition: number, message: KafkaMessage): EventView {
  const text = message.value?.toString('utf8') ?? '';
  let envelope: TEnvelope | undefined;
  try {
    const parsed = ZEnvelope.safeParse(JSON.parse(text));
    if (parsed.success) envelope = parsed.data as TEnvelope;
  } catch {
    // not JSON: shown raw
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8'),
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    ...(envelope ? { envelope } : { raw: text.slice(0, 2000) }),
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value ?? '')])),
  };
}

export interface ReadOptions {
  /** How many events to answer (the newest). */
  limit: number;
  /** Only events with this message key, or this envelope aggregate id. */
  key?: string;
  aggregateId?: string;
  /** How far back to look per partition when searching (default: the whole retained topic up to 20,000 per partition). */
  scanPerPartition?: number;
}

/** The newest events of a topic, newest first, read with a throwaway consumer group that commits nothing. */
export async function readLastEvents(kafka: Kafka, topic: string, options: ReadOptions): Promise<EventView[]> {
  const admin = kafka.admin();
  await admin.connect();
  const marks = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const searching = options.key !== undefined || options.aggregateId !== undefined;
  const back = searching ? (options.scanPerPartition ?? 20_000) : options.limit;
  const ranges = marks
    .map((mark) => ({ partition: mark.partition, from: Math.max(Number(mark.low), Number(mark.high) - back), to: Number(mark.high) }))
    .filter((range) => range.to > range.from);
  if (ranges.length === 0) return [];
  const found: EventView[] = [];
  const groupId = `events-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than 30 s`)), 30_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const range = ranges.find((candidate) => candidate.partition === partition);
            if (!range || done.has(partition)) return;
            const event = decodeMessage(topic, partition, message);
            const matches =
              (options.key === undefined || event.key === options.key) &&
              (options.aggregateId === undefined || event.envelope?.aggregateId === options.aggregateId);
            if (Number(message.offset) >= range.from && matches) found.push(event);
            if (Number(message.offset) + 1 >= range.to) done.add(partition);
            if (ranges.every((candidate) => done.has(candidate.partition))) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const range of ranges) consumer.seek({ topic, partition: range.partition, offset: String(range.from) });
    });
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => {});
    await cleanup.disconnect();
  }
  return found.sort((a, b) => b.timestamp.localeCompare(a.timestamp) || Number(b.offset) - Number(a.offset)).slice(0, options.limit);
}
