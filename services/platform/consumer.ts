/**
 * Runs a Kafka consumer group over typed handlers. Every message is parsed
 * against the topic's zod schema; a message that does not parse, or whose
 * handler keeps failing after bounded retries, is parked on `<topic>.dlq`
 * with the reason and the original headers, and the partition moves on.
 * Offsets are committed only after the handler (and its transaction) is done;
 * handlers dedupe by event id, so a redelivery changes nothing.
 */
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic, parseEnvelope, type TEnvelope, type Topic } from '../contracts/events.ts';
import type { Logger } from './logger.ts';

export interface Subscription<T extends Topic = Topic> {
  topic: T;
  handle: (event: TEnvelope<T>) => Promise<void>;
}

/** Keeps each subscription's topic and handler types tied together. */
export function subscribe<T extends Topic>(topic: T, handle: (event: TEnvelope<T>) => Promise<void>): Subscription {
  return { topic, handle } as unknown as Subscription;
}

export interface ConsumerGroupOptions {
  kafka: Kafka;
  producer: Producer;
  groupId: string;
  subscriptions: Subscription[];
  logger: Logger;
  maxAttempts?: number;
  retryDelayMs?: number;
  fromBeginning?: boolean;
}

export async function startConsumerGroup(options: ConsumerGroupOptions): Promise<Consumer> {
  const { kafka, producer, groupId, logger } = options;
  // About half a minute of retries: outlasts a database restart before a message counts as poison.
  const maxAttempts = options.maxAttempts ?? 8;
  const handlers = new Map(options.subscriptions.map((subscription) => [subscription.topic, subscription.handle]));
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [...handlers.keys()], fromBeginning: options.fromBeginning ?? true });

  async function deadLetter(topic: Topic, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      'dlq-reason': reason.slice(0, 2000),
      'dlq-original-topic': topic,
      'dlq-original-partition': String(partition),
      'dlq-original-offset': message.offset,
      'dlq-consumer-group': groupId,
    };
    await producer.send({ topic: deadLetterTopic(topic), acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
    logger.warn({ topic, partition, offset: message.offset, reason }, 'message parked on the dead-letter topic');
  }

  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const typedTopic = topic as Topic;
      const handle = handlers.get(typedTopic)!;
      const parsed = parseEnvelope(typedTopic, message.value?.toString('utf8') ?? '');
      if (!parsed.ok) return deadLetter(typedTopic, partition, message, parsed.reason);
      for (let attempt = 1; ; attempt++) {
        try {
          await handle(parsed.event);
          return;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          if (attempt >= maxAttempts) return deadLetter(typedTopic, partition, message, `handler failed ${attempt} times: ${reason}`);
          logger.warn({ topic, eventId: parsed.event.eventId, attempt, err: error }, 'handler failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min((options.retryDelayMs ?? 200) * 2 ** (attempt - 1), 8000)));
        }
      }
    },
  });
  return consumer;
}
