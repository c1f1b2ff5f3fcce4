import { describe, expect, it } from 'vitest';
import {
  catalogTopics,
  ensureTopics,
  FIX_TOPICS_COMMAND,
  fixTopics,
  SINGLE_BROKER_POLICY,
  topicShortfalls,
  TopicsFallShortError,
  type TopicAdmin,
  type TopicFixAdmin,
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

/** An admin client over an in-memory cluster that gains a broker per `describeCluster` until it has `brokers`. */
function formingCluster(startBrokers: number, brokers: number) {
  let registered = startBrokers;
  const topics = new Map<string, { partitions: number; replicas: number; configs: Map<string, string> }>();
  const calls = { createTopics: 0 };
  const topic = (name: string) => topics.get(name)!;
  const admin: TopicAdmin = {
    listTopics: async () => [...topics.keys()],
    describeCluster: async () => {
      const now = registered;
      registered = Math.min(brokers, registered + 1);
      return {
        brokers: Array.from({ length: now }, (_, nodeId) => ({ nodeId, host: 'localhost', port: 9092 + nodeId })),
        controller: 0,
        clusterId: 'c',
      };
    },
    createTopics: async ({ topics: asked }) => {
      calls.createTopics++;
      for (const t of asked) {
        if ((t.replicationFactor ?? 1) > registered) throw new Error('Topic creation errors');
        const configs = new Map((t.configEntries ?? []).map((e) => [e.name, e.value]));
        topics.set(t.topic, { partitions: t.numPartitions ?? 1, replicas: t.replicationFactor ?? 1, configs });
      }
      return true;
    },
    fetchTopicMetadata: async (asked) => ({
      topics: (asked?.topics ?? []).map((name) => ({
        name,
        partitions: Array.from({ length: topic(name).partitions }, (_, partitionId) => {
          const replicas = Array.from({ length: topic(name).replicas }, (_, id) => id);
          return { partitionErrorCode: 0, partitionId, leader: 0, replicas, isr: replicas };
        }),
      })),
    }),
    describeConfigs: async ({ resources }) => ({
      throttleTime: 0,
      resources: resources.map(({ name, type }) => ({
        resourceName: name,
        resourceType: type,
        errorCode: 0,
        errorMessage: '',
        configEntries: [...topic(name).configs].map(([configName, configValue]) => ({
          configName,
          configValue,
          isDefault: false,
          configSource: 1,
          isSensitive: false,
          readOnly: false,
          configSynonyms: [],
        })),
      })),
    }),
  };
  return { admin, topics, calls };
}

describe('ensureTopics on a cluster still forming', () => {
  it('waits for the brokers to register, then creates every topic', async () => {
    const cluster = formingCluster(1, 3);
    await ensureTopics(cluster.admin, CLUSTER, 20_000);
    expect(cluster.topics.size).toBe(catalogTopics().length);
    expect([...cluster.topics.values()].every((t) => t.replicas === 3 && t.partitions === 3)).toBe(true);
  });

  it('reports too few brokers once the wait is over', async () => {
    const cluster = formingCluster(1, 1);
    const error = await ensureTopics(cluster.admin, CLUSTER, 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopicsFallShortError);
    expect((error as Error).message).toContain('fewer than KAFKA_TOPIC_REPLICATION_FACTOR=3');
    expect(cluster.calls.createTopics).toBe(0);
  });

  it('does not wait for existing topics whose settings fall short', async () => {
    const cluster = formingCluster(3, 3);
    await ensureTopics(cluster.admin, { ...CLUSTER, replicationFactor: 2, minInSyncReplicas: 1 }, 20_000);
    const started = Date.now();
    const error = await ensureTopics(cluster.admin, CLUSTER, 20_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopicsFallShortError);
    expect((error as Error).message).toContain('replication factor 2, configured 3');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('fixTopics just after a cluster start', () => {
  /** The forming cluster with no topic yet: nothing to rewrite, so the changes must never be asked for. */
  const fixAdmin = (admin: TopicAdmin): TopicFixAdmin => {
    const unexpected = async (): Promise<never> => {
      throw new Error('no topic exists: nothing to change');
    };
    return { ...admin, alterConfigs: unexpected, createPartitions: unexpected, alterPartitionReassignments: unexpected };
  };

  it('waits until every broker it needs is listed (each broker answers from its own copy of the metadata)', async () => {
    const cluster = formingCluster(2, 3);
    await expect(fixTopics(fixAdmin(cluster.admin), CLUSTER, 5_000)).resolves.toEqual([]);
  });

  it('reports too few brokers once the wait is over', async () => {
    const cluster = formingCluster(2, 2);
    await expect(fixTopics(fixAdmin(cluster.admin), CLUSTER, 600)).rejects.toThrow(
      'the cluster has 2 broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=3 (after 0.6 s)',
    );
  });
});
