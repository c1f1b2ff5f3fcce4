import { Kafka, Partitioners, logLevel, type Admin, type Producer, type ProducerConfig } from 'kafkajs';
import { ALL_TOPICS, deadLetterTopic } from '../contracts/events.ts';
import type { Logger } from './logger.ts';

export const TOPIC_PARTITIONS = 3;

export function createKafka(options: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator: () => ({ namespace, level, log: entry }) => {
      const { message, ...rest } = entry;
      if (level <= logLevel.ERROR) log.error({ namespace, ...rest }, message);
      else log.warn({ namespace, ...rest }, message);
    },
  });
}

/** Creates every topic of the catalog and its dead-letter topic; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, replicationFactor = 1): Promise<void> {
  const wanted = ALL_TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: TOPIC_PARTITIONS, replicationFactor })),
    });
  } catch (error) {
    // Another process created some of them at the same moment; fine if they now all exist.
    const now = new Set(await admin.listTopics());
    if (!missing.every((topic) => now.has(topic))) throw error;
  }
}

/**
 * Producer settings for every producer: idempotent (a retried send is written
 * once per partition) and the default murmur2 partitioner, so keys land where
 * Java clients would put them.
 */
export const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

/**
 * A process's Kafka client with the catalog's topics in place and a connected
 * producer (PRODUCER_CONFIG): what the relay and the consumers both start with.
 */
export async function connectKafkaProducer(options: { brokers: string[]; clientId: string; logger: Logger }): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = createKafka(options);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  await admin.disconnect();
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  return { kafka, producer: renewingProducer(kafka, producer, options.logger) };
}

/**
 * Kafka's answers after which an idempotent producer's sequence numbers no longer match the
 * broker's: OUT_OF_ORDER_SEQUENCE_NUMBER (45), INVALID_PRODUCER_EPOCH (47),
 * INVALID_PRODUCER_ID_MAPPING (49), UNKNOWN_PRODUCER_ID (59). Every later send of that
 * producer is refused the same way; only a new producer id recovers.
 */
const LOST_PRODUCER_STATE_CODES = new Set([45, 47, 49, 59]);

export function isLostProducerState(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const value = error as { name?: unknown; code?: unknown; originalError?: unknown; cause?: unknown };
  if (value.name === 'KafkaJSProtocolError' && typeof value.code === 'number' && LOST_PRODUCER_STATE_CODES.has(value.code)) return true;
  return isLostProducerState(value.originalError, depth + 1) || isLostProducerState(value.cause, depth + 1);
}

/**
 * A producer that replaces itself when it fell out of step with the broker. How that happens:
 * the broker took a batch but the answer never came back (a connection reset); kafkajs keeps the
 * batch's sequence numbers, the relay sends the rows again with newer ones added, and the broker
 * refuses that batch, and every one after it, as out of order. The failed send still fails (the
 * caller retries; its rows may then arrive twice, which consumers drop); the next one goes out on
 * a new producer id.
 */
export function renewingProducer(kafka: Kafka, first: Producer, logger: Logger): Producer {
  let current = first;
  let renewal: Promise<void> | undefined;
  const renew = (): Promise<void> =>
    (renewal ??= (async () => {
      const next = kafka.producer(PRODUCER_CONFIG);
      await next.connect();
      const old = current;
      current = next;
      await old.disconnect().catch(() => {});
    })().finally(() => {
      renewal = undefined;
    }));
  async function guarded<R>(call: (producer: Producer) => Promise<R>): Promise<R> {
    if (renewal) await renewal.catch(() => {});
    const producer = current;
    try {
      return await call(producer);
    } catch (error) {
      if (producer === current && isLostProducerState(error)) {
        logger.warn({ err: error }, 'the Kafka producer fell out of step with the broker; starting a new one');
        await renew().catch((renewError: unknown) => logger.warn({ err: renewError }, 'could not start a new Kafka producer; trying again at the next failure'));
      }
      throw error;
    }
  }
  return {
    ...first,
    connect: () => current.connect(),
    disconnect: () => current.disconnect(),
    isIdempotent: () => current.isIdempotent(),
    send: (record) => guarded((producer) => producer.send(record)),
    sendBatch: (batch) => guarded((producer) => producer.sendBatch(batch)),
  };
}
