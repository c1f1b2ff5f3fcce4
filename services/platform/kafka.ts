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
  return { kafka, producer };
}
