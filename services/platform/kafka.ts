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
 * producer (PRODUCER_CONFIG) that moves to a new producer id after a failed send (renewingProducer):
 * what the relay and the consumers both start with.
 */
export async function connectKafkaProducer(
  options: KafkaConnection & { clientId: string; logger: Logger; topics: TopicPolicy },
): Promise<{ kafka: Kafka; producer: EventProducer }> {
  const kafka = createKafka(options);
  const admin = await connectAdmin(kafka, options.brokers);
  try {
    await ensureTopics(admin, options.topics);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  return { kafka, producer: renewingProducer(() => kafka.producer(PRODUCER_CONFIG), producer, options.logger) };
}

/** What the processes do with a producer: send, and disconnect when they stop. */
export type EventProducer = Pick<Producer, 'send' | 'sendBatch' | 'disconnect'>;
/** A producer renewingProducer can start and replace. */
export type RenewableProducer = EventProducer & Pick<Producer, 'connect'>;

/**
 * A producer that sends the next batch after any failed send on a new idempotent producer
 * (a new producer id, its sequence numbers from 0).
 *
 * Why: an idempotent producer numbers each partition's batches, and kafkajs rolls a failed
 * request's sequence numbers back, also when the broker wrote the batch but its answer was lost
 * (a reset connection, a timeout). Once a send has failed, its caller cannot know which of its
 * attempts reached the broker: the final error says nothing about the attempts before it. The
 * relay then reads its outbox again, and the rows it sends next (newer ones added, or a
 * different count per partition) would go out under the same sequence numbers. Where the count
 * per partition differs the broker refuses them as out of order, for good; where it matches, the
 * broker takes them for a duplicate of the batch it holds, answers success and drops them, and
 * the relay marks rows published that never reached Kafka. A new producer id cannot collide with
 * what the broker holds: the worst it does is write the failed send's rows a second time, and
 * consumers drop duplicates by event id.
 *
 * The failed send still fails (its caller retries). When the new producer cannot connect, the
 * next send fails without sending anything, and the one after tries again. The old producer is
 * disconnected in the background: a send still in flight on it may fail and be sent again by its
 * caller (the relay's outbox loops share the producer, but each writes topics of its own service,
 * so no two of them number the same partition).
 */
export function renewingProducer(create: () => RenewableProducer, first: RenewableProducer, logger: Logger): EventProducer {
  let current = first;
  /** A send of `current` failed: its sequence numbers may no longer match the broker's. */
  let spent = false;
  let renewal: Promise<RenewableProducer> | undefined;
  const renew = async (): Promise<RenewableProducer> => {
    const next = create();
    try {
      await next.connect();
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
    const old = current;
    current = next;
    spent = false;
    void old.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'could not disconnect the replaced Kafka producer'));
    return next;
  };
  const usable = (): Promise<RenewableProducer> => {
    if (!spent) return Promise.resolve(current);
    renewal ??= renew().finally(() => {
      renewal = undefined;
    });
    return renewal;
  };
  async function guarded<R>(call: (producer: RenewableProducer) => Promise<R>): Promise<R> {
    const producer = await usable();
    try {
      return await call(producer);
    } catch (error) {
      if (producer === current && !spent) {
        spent = true;
        logger.warn({ err: error }, 'a Kafka send failed with its outcome unknown; the next send goes out on a new producer id');
      }
      throw error;
    }
  }
  return {
    send: (record) => guarded((producer) => producer.send(record)),
    sendBatch: (batch) => guarded((producer) => producer.sendBatch(batch)),
    disconnect: async () => {
      await renewal?.catch(() => undefined);
      await current.disconnect();
    },
  };
}
