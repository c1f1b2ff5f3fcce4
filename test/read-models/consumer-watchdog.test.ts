/**
 * A consumer whose handler hangs holds its partitions for ever: kafkajs
 * neither times the batch out nor crashes. The group's watchdog replaces
 * such a consumer; the partition moves to the new one once the group drops
 * the hung member, and the event is applied. Real Kafka, on a scratch topic.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TEnvelope } from '../../services/contracts/events.ts';
import { startConsumerGroup, subscribe, type ConsumerGroup, type ReadingConsumerGroup } from '../../services/platform/consumer.ts';
import { createKafka, PRODUCER_CONFIG } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { consumerRelaunches } from '../../services/platform/metrics.ts';
import { eventually } from '../support/api.ts';
import { envelope, uniqueBookNo } from '../support/events.ts';

const logger = createLogger({ name: 'watchdog-test', level: 'silent' });
const prefix = `watchdog-${randomUUID().slice(0, 8)}.`;
const topic = 'book.book-changed.v1';
const kafka = createKafka({ brokers: inject('stack').kafkaBrokers.split(','), clientId: 'watchdog-test', logger });
const producer = kafka.producer(PRODUCER_CONFIG);
const admin = kafka.admin();

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: prefix + topic, numPartitions: 1 }] });
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [prefix + topic] }).catch(() => {});
  await admin.disconnect();
});

const relaunches = async (groupId: string) =>
  (await consumerRelaunches.get()).values.find((value) => value.labels.group === groupId)?.value ?? 0;

describe('consumer group watchdog', () => {
  it('replaces a consumer stuck in a batch, and the event is applied by the new one', async () => {
    const groupId = `watchdog-test-${randomUUID()}`;
    const applied: string[] = [];
    let release: () => void = () => {};
    let calls = 0;
    const handle = async (event: TEnvelope<typeof topic>) => {
      if (++calls === 1) await new Promise<void>((resolve) => (release = resolve)); // the first attempt never returns
      applied.push(event.eventId);
    };
    let group: ConsumerGroup | undefined;
    try {
      group = await startConsumerGroup({
        kafka,
        producer,
        logger,
        groupId,
        topicPrefix: prefix,
        subscriptions: [subscribe(topic, handle)],
        batchTimeoutMs: 3_000,
      });
      const event = envelope(topic, { bookNo: uniqueBookNo(), title: 'Hung', author: 'A. Author' });
      await producer.send({ topic: prefix + topic, acks: -1, messages: [{ key: event.aggregateId, value: JSON.stringify(event) }] });

      // The hung member keeps the partition until its session times out (30 s); then the new consumer applies the event.
      await eventually(async () => (applied.includes(event.eventId) ? true : undefined), 90_000);
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(await relaunches(groupId)).toBe(1);
    } finally {
      release(); // lets the replaced consumer finish disconnecting
      await group?.disconnect();
      await admin.deleteGroups([groupId]).catch(() => {});
    }
  }, 120_000);

  it('counts a partition paused for an infrastructure failure as reading again once its event is applied (prefixed topics too)', async () => {
    const groupId = `pause-test-${randomUUID()}`;
    const applied: string[] = [];
    const event = envelope(topic, { bookNo: uniqueBookNo(), title: 'Paused', author: 'A. Author' });
    let failures = 0;
    const handle = async (received: TEnvelope<typeof topic>) => {
      // Twice as if the database were down (for this test's event; the topic holds the other test's too): the partition
      // pauses, then its retry applies the event.
      if (received.eventId === event.eventId && ++failures <= 2)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      applied.push(received.eventId);
    };
    let group: ReadingConsumerGroup | undefined;
    try {
      group = await startConsumerGroup({
        kafka,
        producer,
        logger,
        groupId,
        topicPrefix: prefix,
        subscriptions: [subscribe(topic, handle)],
        pauseDelayMs: 200,
      });
      await producer.send({ topic: prefix + topic, acks: -1, messages: [{ key: event.aggregateId, value: JSON.stringify(event) }] });
      await eventually(async () => (applied.includes(event.eventId) ? true : undefined), 60_000);
      expect(failures).toBe(3);
      expect(group.isReading(topic, 0)).toBe(true);
    } finally {
      await group?.disconnect();
      await admin.deleteGroups([groupId]).catch(() => {});
    }
  }, 90_000);
});
