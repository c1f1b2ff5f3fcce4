import { describe, expect, it } from 'vitest';
import {
  catalogTopics,
  FIX_TOPICS_COMMAND,
  SINGLE_BROKER_POLICY,
  topicShortfalls,
  TopicsFallShortError,
  type TopicPolicy,
  type TopicState,
} from './kafka-topics.ts';

const CLUSTER: TopicPolicy = { partitions: 3, replicationFactor: 3, minInSyncReplicas: 2, retentionMs: -1, dlqRetentionMs: -1 };
const healthy = (policy: TopicPolicy): TopicState[] =>
  catalogTopics().map(({ name }) => ({
    name,
    partitions: policy.partitions,
    replicationFactor: policy.replicationFactor,
    minInSyncReplicas: policy.minInSyncReplicas,
    retentionMs: -1,
    uncleanLeaderElection: false,
  }));
const withTopic = (states: TopicState[], name: string, change: Partial<TopicState>) =>
  states.map((s) => (s.name === name ? { ...s, ...change } : s));

describe('topicShortfalls', () => {
  it('accepts topics that meet the policy', () => {
    expect(topicShortfalls(healthy(CLUSTER), CLUSTER)).toEqual([]);
    // more than asked is fine
    expect(topicShortfalls(healthy(CLUSTER), SINGLE_BROKER_POLICY)).toEqual([]);
  });

  it('names the topic and the setting that falls short', () => {
    const states = withTopic(healthy(CLUSTER), 'rental.item-rented.v1', { replicationFactor: 1 });
    expect(topicShortfalls(states, CLUSTER)).toEqual([
      'topic rental.item-rented.v1: replication factor 1, configured 3 (KAFKA_TOPIC_REPLICATION_FACTOR)',
    ]);
    const isr = withTopic(healthy(CLUSTER), 'book.book-changed.v1', { minInSyncReplicas: 1, partitions: 1 });
    expect(topicShortfalls(isr, CLUSTER)).toEqual([
      'topic book.book-changed.v1: 1 partitions, configured 3 (KAFKA_TOPIC_PARTITIONS), min.insync.replicas 1, configured 2 (KAFKA_TOPIC_MIN_INSYNC_REPLICAS)',
    ]);
  });

  it('refuses a finite retention when forever is configured, for event and dead-letter topics alike', () => {
    const states = withTopic(
      withTopic(healthy(CLUSTER), 'rental.item-rented.v1', { retentionMs: 604_800_000 }),
      'rental.item-rented.v1.dlq',
      { retentionMs: 604_800_000 },
    );
    expect(topicShortfalls(states, CLUSTER)).toEqual([
      'topic rental.item-rented.v1: retention 604800000 ms, configured forever (-1) (KAFKA_TOPIC_RETENTION_MS)',
      'topic rental.item-rented.v1.dlq: retention 604800000 ms, configured forever (-1) (KAFKA_DLQ_RETENTION_MS)',
    ]);
    // a configured finite retention accepts longer ones and forever
    const finite = { ...CLUSTER, retentionMs: 1000, dlqRetentionMs: 1000 };
    expect(topicShortfalls(withTopic(healthy(CLUSTER), 'rental.item-rented.v1', { retentionMs: 5000 }), finite)).toEqual([]);
    expect(topicShortfalls(withTopic(healthy(CLUSTER), 'rental.item-rented.v1', { retentionMs: 500 }), finite)).toHaveLength(1);
  });

  it('refuses unclean leader election and missing topics', () => {
    const states = withTopic(healthy(CLUSTER), 'auth.member-signed-up.v1', { uncleanLeaderElection: true }).filter(
      (s) => s.name !== 'rental.item-returned.v1',
    );
    expect(topicShortfalls(states, CLUSTER)).toEqual([
      expect.stringContaining('topic auth.member-signed-up.v1: unclean.leader.election.enable=true'),
      'topic rental.item-returned.v1 does not exist',
    ]);
  });

  it('the error lists every problem and the fixing command', () => {
    const error = new TopicsFallShortError(['topic a: x', 'topic b: y']);
    expect(error.message).toContain('topic a: x');
    expect(error.message).toContain('topic b: y');
    expect(error.message).toContain(FIX_TOPICS_COMMAND);
  });
});
