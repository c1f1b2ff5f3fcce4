/**
 * Rebuilds every read model from Kafka: empties each read model and its
 * processed ids, then replays its topics from the beginning through the same
 * handlers the consumers process runs, up to the end offsets taken right
 * after the reset. One temporary consumer group reads every topic once, parses
 * each message once and hands each fetched batch of a partition to every read
 * model that subscribes to its topic, each applying it in one transaction (the
 * read-model kit's batch form, services/platform/read-model-kit.ts): the models
 * side by side, several partitions at once, a partition's order kept. Live
 * consumers may keep running: both sides dedupe by event id, so an event seen
 * by both applies once. A message the replay cannot apply is reported, never
 * dead-lettered: the live group parked it already, once.
 *
 *   npm run read-models:rebuild [-- --allow-truncated-topics] [--profile test]
 */
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { TEnvelope, Topic } from '../services/contracts/events.ts';
import { startConsumerGroup, type ConsumerGroup, type Subscription, type UnhandledMessage } from '../services/platform/consumer.ts';
import { classifyFailure } from '../services/platform/failures.ts';
import { createDb } from '../services/platform/db.ts';
import { PRODUCER_CONFIG, createKafka, kafkaConnectionOf, type KafkaConnection } from '../services/platform/kafka.ts';
import { ensureTopics, SINGLE_BROKER_POLICY, topicPolicyOf, type TopicPolicy } from '../services/platform/kafka-topics.ts';
import type { Logger } from '../services/platform/logger.ts';
import { readModels, type ReadModel } from '../services/read-models.ts';
import { isMain, startRuntime } from '../processes/runtime.ts';
import { useOperatorTarget } from './operator-target.ts';

export interface RebuildOptions {
  databaseUrl: string;
  brokers: string[];
  /** TLS and SASL for a managed Kafka (kafkaConnectionOf). */
  connection?: Partial<KafkaConnection>;
  /** Topics created when missing and checked (default: the single-broker policy of the local profiles). */
  topics?: TopicPolicy;
  logger: Logger;
  /** Gives up after this long (the temporary groups are removed all the same). Default 10 minutes. */
  timeoutMs?: number;
  /**
   * Rebuild even when retention has already deleted a topic's oldest events.
   * Off by default: the rebuilt models would silently miss those events.
   */
  allowTruncatedTopics?: boolean;
  /** Replays `<prefix><topic>` instead (the rebuild benchmark's scratch topics). */
  topicPrefix?: string;
  /** Partitions replayed at the same time (default 4), and events per transaction (default 2,000). */
  partitionsAtOnce?: number;
  maxBatchEvents?: number;
}

export interface RebuildReport {
  groups: { groupId: string; replayed: Partial<Record<Topic, number>>; rows: number }[];
  /** Messages the replay could not apply (not parseable, or the handler kept failing): reported, not dead-lettered. */
  unhandled: UnhandledMessage[];
  /** Messages in the replayed ranges, over all topics (each counted once), and the replay's wall time. */
  events: number;
  ms: number;
}

/** partition -> [first offset, end offset) of one topic. */
type OffsetRanges = Map<Topic, { partition: number; low: number; high: number }[]>;

export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildReport> {
  const { logger } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  // Each partition replayed at once runs one transaction per model of its topic (up to 3).
  const db = createDb(options.databaseUrl, 16);
  const kafka = createKafka({ ...options.connection, brokers: options.brokers, clientId: 'book-rental-rebuild', logger });
  const admin = kafka.admin();
  const producer = kafka.producer(PRODUCER_CONFIG); // unused: a rebuild reports instead of dead-lettering
  const unhandled: UnhandledMessage[] = [];
  const temporaryGroups: string[] = [];
  let consumer: ConsumerGroup | undefined;
  try {
    await admin.connect();
    await producer.connect();
    if (!options.topicPrefix) await ensureTopics(admin, options.topics ?? SINGLE_BROKER_POLICY);
    const prefix = options.topicPrefix ?? '';
    const models = readModels(db);
    const subscriptions = combined(models);
    const topics = subscriptions.map((subscription) => subscription.topic);
    if (!options.allowTruncatedTopics) refuseTruncated(await offsetRanges(admin, topics, prefix));

    for (const model of models) await model.reset();
    // Taken after the reset: every event a live consumer applied before the
    // reset lies below these offsets, so the replay applies it again; later
    // events are the live consumers' (and deduped should the replay see them).
    const ranges = await offsetRanges(admin, topics, prefix);
    const groupId = `read-models-rebuild-${Date.now()}`;
    temporaryGroups.push(groupId);
    const started = Date.now();
    consumer = await replay({
      kafka,
      admin,
      producer,
      logger,
      groupId,
      subscriptions,
      ranges,
      deadline,
      topicPrefix: prefix,
      partitionsConsumedConcurrently: options.partitionsAtOnce ?? 4,
      maxBatchEvents: options.maxBatchEvents ?? 2000,
      onUnhandled: (message) => void unhandled.push(message),
    });
    const ms = Date.now() - started;
    const groups = await Promise.all(
      models.map(async (model) => ({
        groupId: model.groupId,
        replayed: Object.fromEntries(model.subscriptions.map(({ topic }) => [topic, messagesIn(ranges.get(topic) ?? [])])) as Partial<
          Record<Topic, number>
        >,
        rows: await model.countRows(),
      })),
    );
    return { groups, unhandled, events: [...ranges.values()].reduce((sum, partitions) => sum + messagesIn(partitions), 0), ms };
  } finally {
    await consumer?.disconnect().catch(() => {});
    await deleteGroups(admin, temporaryGroups, logger);
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await db.$disconnect();
  }
}

/**
 * One subscription per topic that hands each event, or batch, to every read
 * model reading that topic, side by side (each in its own transaction, as the
 * live groups do). All of them finish before it answers; a failure names the
 * model, and an infrastructure failure is passed on as it is, so the runner
 * pauses the partition. A retry re-applies to every model: those that applied
 * already skip the events by id.
 */
export function combined(models: ReadModel[]): Subscription[] {
  const byTopic = new Map<Topic, { groupId: string; subscription: Subscription }[]>();
  for (const model of models) {
    for (const subscription of model.subscriptions) {
      byTopic.set(subscription.topic, [...(byTopic.get(subscription.topic) ?? []), { groupId: model.groupId, subscription }]);
    }
  }
  return [...byTopic].map(([topic, readers]) => ({
    topic,
    handle: (event: TEnvelope) => allOf(readers.map(({ groupId, subscription }) => ({ groupId, run: () => subscription.handle(event) }))),
    handleBatch: (events: TEnvelope[]) =>
      allOf(
        readers.map(({ groupId, subscription }) => ({
          groupId,
          run: async () => {
            if (subscription.handleBatch) return subscription.handleBatch(events);
            for (const event of events) await subscription.handle(event);
          },
        })),
      ),
  }));
}

async function allOf(runs: { groupId: string; run: () => Promise<void> }[]): Promise<void> {
  const outcomes = await Promise.allSettled(runs.map(({ run }) => run()));
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [{ groupId: runs[index]!.groupId, error: outcome.reason as unknown }] : [],
  );
  if (failures.length === 0) return;
  const transient = failures.find(({ error }) => classifyFailure(error) === 'transient');
  if (transient) throw transient.error;
  const [{ groupId, error }] = failures as [(typeof failures)[number]];
  throw new Error(`${groupId}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

async function offsetRanges(admin: Admin, topics: Topic[], prefix: string): Promise<OffsetRanges> {
  const entries = await Promise.all(
    topics.map(async (topic) => {
      const offsets = await admin.fetchTopicOffsets(prefix + topic);
      return [
        topic,
        offsets.map((offset) => ({ partition: offset.partition, low: Number(offset.low), high: Number(offset.high) })),
      ] as const;
    }),
  );
  return new Map(entries);
}

function refuseTruncated(ranges: OffsetRanges): void {
  const truncated = [...ranges].flatMap(([topic, partitions]) =>
    partitions.filter((p) => p.low > 0).map((p) => `${topic}[${p.partition}] starts at ${p.low}`),
  );
  if (truncated.length > 0) {
    throw new Error(
      `retention already deleted events (${truncated.join(', ')}); a rebuild would lose them. Pass allowTruncatedTopics (--allow-truncated-topics) to rebuild anyway.`,
    );
  }
}

const messagesIn = (partitions: { low: number; high: number }[]) => partitions.reduce((sum, p) => sum + p.high - p.low, 0);

/**
 * Runs the subscriptions under a fresh group until it has committed every
 * captured end offset; answers the consumer (still connected) for the caller
 * to disconnect, or undefined when there was nothing to replay.
 */
async function replay(args: {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  logger: Logger;
  groupId: string;
  subscriptions: Subscription[];
  ranges: OffsetRanges;
  deadline: number;
  onUnhandled: (message: UnhandledMessage) => void;
  topicPrefix: string;
  partitionsConsumedConcurrently: number;
  maxBatchEvents: number;
}): Promise<ConsumerGroup | undefined> {
  const { admin, groupId, subscriptions, ranges } = args;
  const topics = subscriptions.map((subscription) => subscription.topic);
  const wanted = topics.flatMap((topic) => (ranges.get(topic) ?? []).filter((p) => p.high > p.low).map((p) => ({ topic, ...p })));
  if (wanted.length === 0) return undefined;
  const started = Date.now();
  const consumer = await startConsumerGroup({ ...args, fromBeginning: true });
  try {
    for (;;) {
      const committed = new Map(
        (await admin.fetchOffsets({ groupId, topics: topics.map((topic) => args.topicPrefix + topic) })).flatMap(({ topic, partitions }) =>
          partitions.map((p) => [`${topic.slice(args.topicPrefix.length)}:${p.partition}`, Number(p.offset)] as const),
        ),
      );
      const behind = wanted.filter((p) => (committed.get(`${p.topic}:${p.partition}`) ?? -1) < p.high);
      if (behind.length === 0) {
        args.logger.info({ groupId, topics, ms: Date.now() - started }, 'replayed up to the captured end offsets');
        return consumer;
      }
      if (Date.now() > args.deadline) {
        throw new Error(`rebuild timed out; ${groupId} is behind on ${behind.map((p) => `${p.topic}[${p.partition}]`).join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
}

/** Kafka's GROUP_ID_NOT_FOUND: a phase that had nothing to replay never created its group. */
const GROUP_ID_NOT_FOUND = 69;

/** Removes the temporary groups, retrying briefly while their members are still leaving. */
async function deleteGroups(admin: Admin, groupIds: string[], logger: Logger): Promise<void> {
  let remaining = groupIds;
  for (let attempt = 1; remaining.length > 0; attempt++) {
    try {
      await admin.deleteGroups(remaining);
      return;
    } catch (error) {
      const failed = (error as { groups?: { groupId: string; errorCode: number }[] }).groups;
      if (failed) remaining = failed.filter((group) => group.errorCode !== GROUP_ID_NOT_FOUND).map((group) => group.groupId);
      if (remaining.length > 0 && attempt >= 10) {
        logger.warn({ err: error, groupIds: remaining }, 'could not delete the temporary consumer groups; Kafka expires them on its own');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function main() {
  const { args } = useOperatorTarget();
  const { config, logger } = startRuntime('rebuild');
  const report = await rebuildReadModels({
    databaseUrl: config.DATABASE_URL,
    brokers: config.KAFKA_BROKERS,
    connection: kafkaConnectionOf(config),
    topics: topicPolicyOf(config),
    logger,
    allowTruncatedTopics: args.includes('--allow-truncated-topics'),
  });
  for (const group of report.groups) {
    const replayed = Object.entries(group.replayed)
      .map(([topic, count]) => `${topic}=${count}`)
      .join(' ');
    console.log(`${group.groupId}: ${group.rows} rows; replayed ${replayed || 'nothing'}`);
  }
  console.log(
    `${report.events} events replayed in ${(report.ms / 1000).toFixed(1)} s (${Math.round(report.events / (report.ms / 1000))} events/s)`,
  );
  for (const message of report.unhandled) {
    console.log(
      `not applied: ${message.topic}[${message.partition}]@${message.offset} (${message.groupId}, ${message.kind}): ${message.reason}`,
    );
  }
  if (report.unhandled.length > 0)
    console.log(`${report.unhandled.length} message(s) not applied; the live groups' dead letters hold them (npm run dlq -- list)`);
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('rebuild failed:', error);
      process.exit(1);
    },
  );
}
