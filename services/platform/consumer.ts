/**
 * Runs a Kafka consumer group over typed handlers. Every message is parsed
 * against the topic's zod schema; a message that does not parse, or whose
 * handler keeps failing after bounded retries, is parked on `<topic>.dlq`
 * with the reason and the original headers, and the partition moves on.
 * Offsets are committed only after the handler (and its transaction) is done;
 * handlers dedupe by event id, so a redelivery changes nothing.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic, parseEnvelope, type TEnvelope, type Topic } from '../contracts/events.ts';
import { withLogContext, type Logger } from './logger.ts';
import { consumerProcessed, consumerRetries, deadLettersParked } from './metrics.ts';
import { contextFromTraceparent, tracer } from './tracing.ts';

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

  async function deadLetter(topic: Topic, partition: number, message: KafkaMessage, reason: string, kind: 'unparseable' | 'handler_failed'): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
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

  /** Handles one message with bounded retries; false when it was parked on the dead-letter topic instead. */
  async function consume(topic: Topic, partition: number, message: KafkaMessage, parsed: ReturnType<typeof parseEnvelope<Topic>>): Promise<boolean> {
    const handle = handlers.get(topic)!;
    if (!parsed.ok) {
      await deadLetter(topic, partition, message, parsed.reason, 'unparseable');
      return false;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await handle(parsed.event);
        consumerProcessed.inc({ group: groupId, topic });
        logger.debug({ attempt }, 'event handled');
        return true;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt >= maxAttempts) {
          await deadLetter(topic, partition, message, `handler failed ${attempt} times: ${reason}`, 'handler_failed');
          return false;
        }
        consumerRetries.inc({ group: groupId, topic });
        logger.warn({ topic, eventId: parsed.event.eventId, attempt, err: error }, 'handler failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min((options.retryDelayMs ?? 200) * 2 ** (attempt - 1), 8000)));
      }
    }
  }

  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const typedTopic = topic as Topic;
      const parsed = parseEnvelope(typedTopic, message.value?.toString('utf8') ?? '');
      const eventId = parsed.ok ? parsed.event.eventId : undefined;
      // A child of the relay's publish span (the header), else of the span that wrote the event (the envelope).
      const parent = contextFromTraceparent(message.headers?.traceparent?.toString() ?? (parsed.ok ? parsed.event.traceparent : undefined), ROOT_CONTEXT);
      const attributes = {
        'messaging.system': 'kafka',
        'messaging.operation': 'process',
        'messaging.destination.name': topic,
        'messaging.kafka.consumer.group': groupId,
        'messaging.kafka.destination.partition': partition,
        'messaging.kafka.message.offset': Number(message.offset),
        ...(eventId ? { 'messaging.message.id': eventId } : {}),
      };
      await tracer().startActiveSpan(`${topic} process`, { kind: SpanKind.CONSUMER, attributes }, parent, (span) =>
        withLogContext({ groupId, topic, partition, offset: message.offset, ...(eventId ? { eventId } : {}) }, async () => {
          try {
            if (!(await consume(typedTopic, partition, message, parsed))) {
              span.setStatus({ code: SpanStatusCode.ERROR, message: 'parked on the dead-letter topic' });
            }
          } finally {
            span.end();
          }
        }),
      );
    },
  });
  return consumer;
}
