import { readFileSync } from 'node:fs';
import { Kafka, Partitioners, logLevel, type Admin, type KafkaConfig, type Producer, type ProducerConfig, type SASLOptions } from 'kafkajs';
import type { TConfig } from './config.ts';
import { ensureTopics, type TopicPolicy } from './kafka-topics.ts';
import type { Logger } from './logger.ts';

/** How a process reaches the brokers: addresses, and TLS and SASL for a managed Kafka. */
export type KafkaConnection = Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> & { brokers: string[] };

/** The kafkajs connection options from configuration (README "Managed services"). */
export function kafkaConnectionOf(
  config: Pick<
    TConfig,
    | 'KAFKA_BROKERS'
    | 'KAFKA_TLS'
    | 'KAFKA_TLS_CA_FILE'
    | 'KAFKA_TLS_CERT_FILE'
    | 'KAFKA_TLS_KEY_FILE'
    | 'KAFKA_SASL_MECHANISM'
    | 'KAFKA_SASL_USERNAME'
    | 'KAFKA_SASL_PASSWORD'
  >,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaConnection {
  const connection: KafkaConnection = { brokers: config.KAFKA_BROKERS };
  if (config.KAFKA_TLS) {
    const ca = config.KAFKA_TLS_CA_FILE ? [readFile(config.KAFKA_TLS_CA_FILE)] : undefined;
    const cert = config.KAFKA_TLS_CERT_FILE ? readFile(config.KAFKA_TLS_CERT_FILE) : undefined;
    const key = config.KAFKA_TLS_KEY_FILE ? readFile(config.KAFKA_TLS_KEY_FILE) : undefined;
    // Certificates are always verified: a managed Kafka has a public CA, a private one comes with its CA file.
    connection.ssl = { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  }
  if (config.KAFKA_SASL_MECHANISM) {
    connection.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME!,
      password: config.KAFKA_SASL_PASSWORD!,
    } as SASLOptions;
  }
  return connection;
}

export function createKafka(options: KafkaConnection & { clientId: string; logger: Logger }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error({ namespace, ...rest }, message);
        else log.warn({ namespace, ...rest }, message);
      },
  });
}

/** Connects an admin client, naming the brokers and what to do when none answers. */
export async function connectAdmin(kafka: Kafka, brokers: string[]): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new Error(
      `cannot reach Kafka at KAFKA_BROKERS=${brokers.join(',')} (${(error as Error).message}); start the brokers (npm run infra:up, with --profile <profile>) or point KAFKA_BROKERS at running ones`,
    );
  }
  return admin;
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
export async function connectKafkaProducer(
  options: KafkaConnection & { clientId: string; logger: Logger; topics: TopicPolicy },
): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = createKafka(options);
  const admin = await connectAdmin(kafka, options.brokers);
  try {
    await ensureTopics(admin, options.topics);
  } finally {
    await admin.disconnect();
  }
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
        await renew().catch((renewError: unknown) =>
          logger.warn({ err: renewError }, 'could not start a new Kafka producer; trying again at the next failure'),
        );
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
