/**
 * The topics on the test stack's broker, as the processes made them: events
 * and dead letters kept forever, no unclean leader election; a process
 * configured for more replicas than the topics have refuses to start, naming
 * the topic and the command that fixes it; an unreachable broker is named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { connectAdmin, createKafka } from '../../services/platform/kafka.ts';
import {
  ensureTopics,
  FIX_TOPICS_COMMAND,
  readTopicStates,
  SINGLE_BROKER_POLICY,
  TopicsFallShortError,
  type TopicState,
} from '../../services/platform/kafka-topics.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { inject } from 'vitest';

const stack = inject('stack');
const logger = createLogger({ name: 'test', level: 'silent' });
const brokers = stack.kafkaBrokers.split(',');
let admin: Admin;

beforeAll(async () => {
  admin = await connectAdmin(createKafka({ brokers, clientId: 'topics-test', logger }), brokers);
  await ensureTopics(admin, SINGLE_BROKER_POLICY);
});
afterAll(() => admin?.disconnect());

describe('Kafka topics against the configuration', () => {
  it('keeps events and dead letters forever, with unclean leader election off', async () => {
    const states = await readTopicStates(admin, ['rental.item-rented.v1', 'rental.item-rented.v1.dlq']);
    expect(states).toHaveLength(2);
    for (const state of states) {
      expect(state, state.name).toMatchObject({ retentionMs: -1, uncleanLeaderElection: false, partitions: 3 });
    }
  });

  it('refuses topics with fewer replicas than configured, naming each and the fixing command', async () => {
    // One more replica than the profile's topics have (1 on the test broker, 3 on the cluster's).
    const [{ replicationFactor: actual, minInSyncReplicas }] = (await readTopicStates(admin, ['rental.item-rented.v1'])) as [TopicState];
    const error = await ensureTopics(admin, {
      ...SINGLE_BROKER_POLICY,
      replicationFactor: actual + 1,
      minInSyncReplicas: minInSyncReplicas + 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopicsFallShortError);
    const message = (error as Error).message;
    expect(message).toContain(
      `topic rental.item-rented.v1: replication factor ${actual}, configured ${actual + 1} (KAFKA_TOPIC_REPLICATION_FACTOR)`,
    );
    expect(message).toContain(`min.insync.replicas ${minInSyncReplicas}, configured ${minInSyncReplicas + 1}`);
    expect(message).toContain(FIX_TOPICS_COMMAND);
  });

  it('names the brokers it cannot reach and what to do', async () => {
    const nowhere = ['127.0.0.1:1'];
    const error = await connectAdmin(createKafka({ brokers: nowhere, clientId: 'topics-test', logger }), nowhere).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^cannot reach Kafka at KAFKA_BROKERS=127\.0\.0\.1:1 .*npm run infra:up/);
  }, 120_000);
});
