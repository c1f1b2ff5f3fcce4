/**
 * Runs a Kafka consumer group over typed handlers, a partition's messages in
 * offset order. Every message is parsed against the topic's zod schema:
 * - one that does not parse is parked on `<topic>.dlq` at once;
 * - an infrastructure failure of its handler (database away, connection
 *   reset, deadlock, serialization failure, timeout: services/platform/failures.ts)
 *   pauses the partition and retries it with capped backoff for as long as it
 *   takes: never a dead letter;
 * - any other handler error is retried and, after `maxAttempts`, parked with
 *   the reason, the original headers and the group; the partition moves on.
 * A rebuild's temporary group reports instead of parking (`onUnhandled`).
 * Offsets are committed only after the handler (and its transaction) is done;
 * handlers dedupe by event id, so a redelivery changes nothing. A run of
 * valid messages goes through the subscription's `handleBatch` (one
 * transaction) when it has one; a batch that fails for any other reason than
 * the infrastructure is applied again one event at a time, to find the culprit.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import type { Consumer, EachBatchHandler, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic, isEventOf, parseEnvelope, type TEnvelope, type Topic } from '../contracts/events.ts';
import { backoffMs, classifyFailure } from './failures.ts';
import { withLogContext, type Logger } from './logger.ts';
import { consumerPaused, consumerPauses, consumerProcessed, consumerRetries, deadLettersParked } from './metrics.ts';
import { superviseConsumer, type ConsumerGroup, type Vitals } from './consumer-supervisor.ts';

export type { ConsumerGroup } from './consumer-supervisor.ts';
import { contextFromTraceparent, tracer } from './tracing.ts';

export interface Subscription<T extends Topic = Topic> {
  topic: T;
  handle: (event: TEnvelope<T>) => Promise<void>;
  /** Applies events of one partition in one transaction, with the effect of `handle` on each in order. */
  handleBatch?: (events: TEnvelope<T>[]) => Promise<void>;
}

/**
 * Keeps each subscription's topic and handler types tied together. The group
 * hands a subscription only events parsed for its topic; the check on the way
 * in turns that into a type the handlers can rely on.
 */
export function subscribe<T extends Topic>(
  topic: T,
  handle: (event: TEnvelope<T>) => Promise<void>,
  handleBatch?: (events: TEnvelope<T>[]) => Promise<void>,
): Subscription {
  const own = (event: TEnvelope): TEnvelope<T> => {
    if (!isEventOf(topic, event)) throw new Error(`a ${event.type} event was handed to the ${topic} subscription`);
    return event;
  };
  return {
    topic,
    handle: async (event) => handle(own(event)),
    ...(handleBatch ? { handleBatch: async (events) => handleBatch(events.map(own)) } : {}),
  };
}

/** Headers of a message re-driven from a dead-letter topic: only this group applies it again. */
export const REDRIVE_GROUP_HEADER = 'dlq-redrive-group';

export interface UnhandledMessage {
  groupId: string;
  topic: Topic;
  partition: number;
  offset: string;
  kind: 'unparseable' | 'handler_failed';
  reason: string;
  eventId?: string;
}

export interface ConsumerGroupOptions {
  kafka: Kafka;
  /** Where dead letters go. */
  producer: Pick<Producer, 'send'>;
  groupId: string;
  subscriptions: Subscription[];
  logger: Logger;
  /** Attempts for a handler error that is not the infrastructure's, before it is dead-lettered. */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Backoff of a paused partition: from this ... */
  pauseDelayMs?: number;
  /** ... doubling up to this. */
  maxPauseDelayMs?: number;
  /** Events applied in one transaction by a subscription's handleBatch. */
  maxBatchEvents?: number;
  /** Partitions handled at the same time (each keeps its own order). */
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  /** Reads `<prefix><topic>` instead of each topic (a benchmark's scratch topics); the schema is still the topic's. */
  topicPrefix?: string;
  /** Instead of parking a message on `<topic>.dlq`, hand it here (a rebuild reports, it never dead-letters). */
  onUnhandled?: (message: UnhandledMessage) => void;
  /** The watchdog replaces a consumer that has neither fetched nor heartbeated for this long (default 2 minutes) ... */
  stallTimeoutMs?: number;
  /** ... or that has been handling one batch for this long (default 5 minutes). */
  batchTimeoutMs?: number;
}

/** A supervised group that can tell which partitions its consumer here is reading now. */
export interface ReadingConsumerGroup extends ConsumerGroup {
  /** Assigned to this process's consumer at its last join, and not paused for an infrastructure failure. */
  isReading(topic: string, partition: number): boolean;
}

/**
 * How old the consumer's cluster metadata may grow. kafkajs fetches each assigned partition from the broker its
 * metadata names as leader, refreshes that metadata only on an error or past this age (5 minutes by default), and
 * runs one fetcher per broker it knows. Metadata read while a killed broker's partitions had no leader yet (or named
 * a broker it no longer lists) leaves those partitions with no fetcher: nothing fails, nothing is read, until the
 * next refresh. That matches the stalls seen after broker SIGKILLs (group Stable, heartbeats, no error, one partition
 * never read until stuck-partitions.ts replaced the consumer); a short age bounds such a stall to seconds, for one
 * metadata request per consumer every 15 s.
 */
const METADATA_MAX_AGE_MS = 15_000;

type Parsed = ReturnType<typeof parseEnvelope<Topic>>;
type Outcome = 'applied' | 'parked' | 'paused';

export async function startConsumerGroup(options: ConsumerGroupOptions): Promise<ReadingConsumerGroup> {
  const { kafka, producer, groupId, logger } = options;
  // About half a minute of retries for an error that is not the infrastructure's.
  const maxAttempts = options.maxAttempts ?? 8;
  const maxBatchEvents = options.maxBatchEvents ?? 500;
  const subscriptions = new Map(options.subscriptions.map((subscription) => [subscription.topic, subscription]));
  /** Partitions paused for an infrastructure failure, by `pausedKey` of the topic as Kafka names it (with the prefix). */
  const pausedSince = new Map<string, { attempt: number; since: number }>();
  const pausedKey = (kafkaTopic: string, partition: number) => `${kafkaTopic}:${partition}`;
  const prefix = options.topicPrefix ?? '';
  /** The current consumer's partitions per topic (without the prefix), as of its last join. */
  let assigned = new Map<string, Set<number>>();
  let launches = 0;

  async function park(
    topic: Topic,
    partition: number,
    message: KafkaMessage,
    reason: string,
    kind: UnhandledMessage['kind'],
    eventId?: string,
  ): Promise<void> {
    if (options.onUnhandled) {
      options.onUnhandled({ groupId, topic, partition, offset: message.offset, kind, reason, ...(eventId ? { eventId } : {}) });
      logger.warn({ topic, partition, offset: message.offset, reason }, 'message not applied; reported (this group does not dead-letter)');
      return;
    }
    const headers: IHeaders = {
      ...Object.fromEntries(Object.entries(message.headers ?? {}).filter(([name]) => name !== REDRIVE_GROUP_HEADER)),
      'dlq-reason': reason.slice(0, 2000),
      'dlq-original-topic': topic,
      'dlq-original-partition': String(partition),
      'dlq-original-offset': message.offset,
      'dlq-consumer-group': groupId,
    };
    await producer.send({ topic: deadLetterTopic(topic), acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
    deadLettersParked.inc({ group: groupId, topic, reason: kind });
    logger.warn({ topic, partition, offset: message.offset, reason }, 'message parked on the dead-letter topic');
  }

  /** The consumer span of one message: a child of the relay's publish span (header), else of the span that wrote the event. */
  function messageSpan(topic: Topic, partition: number, message: KafkaMessage, parsed: Parsed): Span {
    const eventId = parsed.ok ? parsed.event.eventId : undefined;
    const parent = contextFromTraceparent(
      message.headers?.traceparent?.toString() ?? (parsed.ok ? parsed.event.traceparent : undefined),
      ROOT_CONTEXT,
    );
    return tracer().startSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation': 'process',
          'messaging.destination.name': topic,
          'messaging.kafka.consumer.group': groupId,
          'messaging.kafka.destination.partition': partition,
          'messaging.kafka.message.offset': Number(message.offset),
          ...(eventId ? { 'messaging.message.id': eventId } : {}),
        },
      },
      parent,
    );
  }

  /** One message, with retries for errors that are not the infrastructure's; 'paused' on an infrastructure failure. */
  async function applyOne(
    topic: Topic,
    partition: number,
    message: KafkaMessage,
    parsed: Parsed,
    heartbeat: () => Promise<void>,
  ): Promise<{ outcome: Outcome; error?: unknown }> {
    const span = messageSpan(topic, partition, message, parsed);
    const eventId = parsed.ok ? parsed.event.eventId : undefined;
    return withLogContext({ groupId, topic, partition, offset: message.offset, ...(eventId ? { eventId } : {}) }, async () => {
      try {
        if (!parsed.ok) {
          await park(topic, partition, message, parsed.reason, 'unparseable');
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'not parseable' });
          return { outcome: 'parked' };
        }
        const { handle } = subscriptions.get(topic)!;
        for (let attempt = 1; ; attempt++) {
          try {
            // The handler (and its transaction) runs inside the message's span.
            await context.with(trace.setSpan(ROOT_CONTEXT, span), () => handle(parsed.event));
            consumerProcessed.inc({ group: groupId, topic });
            return { outcome: 'applied' };
          } catch (error) {
            if (classifyFailure(error) === 'transient') return { outcome: 'paused', error };
            const reason = error instanceof Error ? error.message : String(error);
            if (attempt >= maxAttempts) {
              await park(topic, partition, message, `handler failed ${attempt} times: ${reason}`, 'handler_failed', eventId);
              span.setStatus({ code: SpanStatusCode.ERROR, message: 'not applied' });
              return { outcome: 'parked' };
            }
            consumerRetries.inc({ group: groupId, topic });
            logger.warn({ topic, eventId, attempt, err: error }, 'handler failed; retrying');
            await sleep(backoffMs(attempt, options.retryDelayMs ?? 200, 8000));
            await heartbeat();
          }
        }
      } finally {
        span.end();
      }
    });
  }

  /** A run of valid messages through handleBatch; undefined when the batch failed for a reason of its own (apply one by one). */
  async function applyBatch(
    topic: Topic,
    partition: number,
    run: { message: KafkaMessage; parsed: Parsed }[],
  ): Promise<{ outcome: Outcome; error?: unknown } | undefined> {
    const { handleBatch } = subscriptions.get(topic)!;
    if (!handleBatch || run.length < 2) return undefined;
    const spans = run.map(({ message, parsed }) => messageSpan(topic, partition, message, parsed));
    try {
      await handleBatch(run.map(({ parsed }) => (parsed as Extract<Parsed, { ok: true }>).event));
      consumerProcessed.inc({ group: groupId, topic }, run.length);
      return { outcome: 'applied' };
    } catch (error) {
      if (classifyFailure(error) === 'transient') return { outcome: 'paused', error };
      logger.warn({ topic, partition, events: run.length, err: error }, 'batch failed; applying its events one at a time');
      return undefined;
    } finally {
      for (const span of spans) span.end();
    }
  }

  function pausePartition(payload: EachBatchPayload, message: KafkaMessage, error: unknown): void {
    const { topic, partition } = payload.batch;
    const key = pausedKey(topic, partition);
    const state = pausedSince.get(key) ?? { attempt: 0, since: Date.now() };
    state.attempt++;
    pausedSince.set(key, state);
    const delay = backoffMs(state.attempt, options.pauseDelayMs ?? 500, options.maxPauseDelayMs ?? 15_000);
    consumerPaused.set({ group: groupId, topic, partition: String(partition) }, 1);
    consumerPauses.inc({ group: groupId, topic });
    logger.warn(
      {
        groupId,
        topic,
        partition,
        offset: message.offset,
        attempt: state.attempt,
        pausedForMs: Date.now() - state.since,
        retryInMs: delay,
        err: error,
      },
      'infrastructure failure: partition paused, the message is retried later (never dead-lettered)',
    );
    const resume = payload.pause();
    setTimeout(resume, delay).unref();
  }

  /** `topic` as Kafka names it (with the prefix), as pausePartition recorded it. */
  function markRunning(topic: string, partition: number): void {
    const key = pausedKey(topic, partition);
    const state = pausedSince.get(key);
    if (!state) return;
    pausedSince.delete(key);
    consumerPaused.set({ group: groupId, topic, partition: String(partition) }, 0);
    logger.info(
      { groupId, topic, partition, attempts: state.attempt, pausedForMs: Date.now() - state.since },
      'partition resumed after the infrastructure came back',
    );
  }

  const eachBatch: EachBatchHandler = async (payload) => {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const topic = batch.topic.slice(prefix.length) as Topic;
    const { partition } = batch;
    const messages = batch.messages;
    for (let index = 0; index < messages.length; ) {
      if (!isRunning() || isStale()) return;
      const message = messages[index]!;
      const redriveGroup = message.headers?.[REDRIVE_GROUP_HEADER]?.toString();
      if (redriveGroup !== undefined && redriveGroup !== groupId) {
        // Re-driven for another group (or the original is earlier in this topic, for a rebuild's group).
        resolveOffset(message.offset);
        index++;
        continue;
      }
      const parsed = parseEnvelope(topic, message.value?.toString('utf8') ?? '');
      // A run of consecutive valid messages (none re-driven for another group) goes through handleBatch when there is one.
      const run: { message: KafkaMessage; parsed: Parsed }[] = [{ message, parsed }];
      if (parsed.ok) {
        for (let next = index + 1; next < messages.length && run.length < maxBatchEvents; next++) {
          const candidate = messages[next]!;
          if (candidate.headers?.[REDRIVE_GROUP_HEADER] !== undefined) break;
          const candidateParsed = parseEnvelope(topic, candidate.value?.toString('utf8') ?? '');
          if (!candidateParsed.ok) break;
          run.push({ message: candidate, parsed: candidateParsed });
        }
      }
      const batched = await applyBatch(topic, partition, run);
      if (batched?.outcome === 'paused') return pausePartition(payload, message, batched.error);
      if (batched) {
        markRunning(batch.topic, partition);
        resolveOffset(run.at(-1)!.message.offset);
        index += run.length;
      } else {
        for (const item of run) {
          const { outcome, error } = await applyOne(topic, partition, item.message, item.parsed, heartbeat);
          if (outcome === 'paused') return pausePartition(payload, item.message, error);
          markRunning(batch.topic, partition);
          resolveOffset(item.message.offset);
          index++;
        }
      }
      await heartbeat();
    }
  };

  /** A consumer in the group, running: connected, subscribed, fetching, and reporting to its supervisor. */
  async function launch(vitals: Vitals): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, metadataMaxAge: METADATA_MAX_AGE_MS });
    // A replaced consumer left to disconnect on its own may still join: only the newest one's assignment counts.
    const launched = ++launches;
    assigned = new Map();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (launched !== launches) return;
      assigned = new Map(
        Object.entries(payload.memberAssignment).map(([topic, partitions]) => [topic.slice(prefix.length), new Set(partitions)]),
      );
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ groupId, err: payload.error, restart: payload.restart }, 'consumer group crashed');
      // kafkajs restarts the consumer itself after a retriable error; after any other it stays down.
      if (!payload.restart) vitals.crashedForGood();
    });
    // The runner fetches every few seconds, even when idle or paused, and heartbeats.
    consumer.on(consumer.events.FETCH, vitals.alive);
    consumer.on(consumer.events.HEARTBEAT, vitals.alive);
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...subscriptions.keys()].map((topic) => prefix + topic),
        fromBeginning: options.fromBeginning ?? true,
      });
      await consumer.run({
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const ended = vitals.batchStarted();
          try {
            await eachBatch(payload);
          } finally {
            ended();
          }
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    return consumer;
  }

  const group = await superviseConsumer({
    groupId,
    logger,
    launch,
    ...(options.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: options.stallTimeoutMs }),
    ...(options.batchTimeoutMs === undefined ? {} : { batchTimeoutMs: options.batchTimeoutMs }),
  });
  return {
    ...group,
    isReading: (topic, partition) => !!assigned.get(topic)?.has(partition) && !pausedSince.has(pausedKey(prefix + topic, partition)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
