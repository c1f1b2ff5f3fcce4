/**
 * The topics every process relies on, as configuration asks for them: created
 * when missing, checked when present. A topic that falls short (fewer
 * replicas, a lower min ISR, a shorter retention) stops start-up with the
 * command that fixes it, instead of a cluster that silently loses events.
 */
import kafkajs, { type Admin } from 'kafkajs';
import { ALL_TOPICS, deadLetterTopic } from '../contracts/events.ts';
import type { TConfig } from './config.ts';

// kafkajs is CommonJS: this enum is not among the named exports Node can detect.
const { ConfigResourceTypes } = kafkajs;

export interface TopicPolicy {
  partitions: number;
  replicationFactor: number;
  minInSyncReplicas: number;
  /** -1 = forever. */
  retentionMs: number;
  dlqRetentionMs: number;
}

/** What a topic really has, read from the cluster. */
export interface TopicState {
  name: string;
  partitions: number;
  /** The smallest replica count over its partitions. */
  replicationFactor: number;
  minInSyncReplicas: number;
  retentionMs: number;
  uncleanLeaderElection: boolean;
  /** Partitions with no leader elected (yet). */
  leaderlessPartitions?: number;
}

/** The command that brings every topic up to the configuration (scripts/kafka-topics.ts). */
export const FIX_TOPICS_COMMAND = 'npm run topics:fix';

export function topicPolicyOf(
  config: Pick<
    TConfig,
    | 'KAFKA_TOPIC_PARTITIONS'
    | 'KAFKA_TOPIC_REPLICATION_FACTOR'
    | 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS'
    | 'KAFKA_TOPIC_RETENTION_MS'
    | 'KAFKA_DLQ_RETENTION_MS'
  >,
): TopicPolicy {
  return {
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
    minInSyncReplicas: config.KAFKA_TOPIC_MIN_INSYNC_REPLICAS,
    retentionMs: config.KAFKA_TOPIC_RETENTION_MS,
    dlqRetentionMs: config.KAFKA_DLQ_RETENTION_MS,
  };
}

/** The policy the project's own local brokers get when nothing is configured (dev and test profiles). */
export const SINGLE_BROKER_POLICY: TopicPolicy = {
  partitions: 3,
  replicationFactor: 1,
  minInSyncReplicas: 1,
  retentionMs: -1,
  dlqRetentionMs: -1,
};

/** Every topic the project uses: each event topic and its dead-letter topic. */
export function catalogTopics(): { name: string; deadLetters: boolean }[] {
  return ALL_TOPICS.flatMap((topic) => [
    { name: topic, deadLetters: false },
    { name: deadLetterTopic(topic), deadLetters: true },
  ]);
}

const retentionOf = (policy: TopicPolicy, deadLetters: boolean) => (deadLetters ? policy.dlqRetentionMs : policy.retentionMs);

/** The topic-level settings a topic is created (or fixed) with. */
export function topicSettings(policy: TopicPolicy, deadLetters: boolean): { name: string; value: string }[] {
  return [
    { name: 'min.insync.replicas', value: String(policy.minInSyncReplicas) },
    { name: 'retention.ms', value: String(retentionOf(policy, deadLetters)) },
    // A replica that was out of sync must never become leader: it would drop acknowledged events.
    { name: 'unclean.leader.election.enable', value: 'false' },
  ];
}

/** True when a retention keeps events at least as long as wanted (-1 = forever beats everything). */
const keepsAtLeast = (actual: number, wanted: number) => (wanted === -1 ? actual === -1 : actual === -1 || actual >= wanted);
const describe = (ms: number) => (ms === -1 ? 'forever (-1)' : `${ms} ms`);

/** Why one topic falls short of the policy; empty when it is fine. */
export function shortfallsOf(state: TopicState, policy: TopicPolicy, deadLetters: boolean): string[] {
  const problems: string[] = [];
  if (state.replicationFactor < policy.replicationFactor) {
    problems.push(`replication factor ${state.replicationFactor}, configured ${policy.replicationFactor} (KAFKA_TOPIC_REPLICATION_FACTOR)`);
  }
  if (state.partitions < policy.partitions)
    problems.push(`${state.partitions} partitions, configured ${policy.partitions} (KAFKA_TOPIC_PARTITIONS)`);
  if (state.minInSyncReplicas < policy.minInSyncReplicas) {
    problems.push(
      `min.insync.replicas ${state.minInSyncReplicas}, configured ${policy.minInSyncReplicas} (KAFKA_TOPIC_MIN_INSYNC_REPLICAS)`,
    );
  }
  const wanted = retentionOf(policy, deadLetters);
  if (!keepsAtLeast(state.retentionMs, wanted)) {
    problems.push(
      `retention ${describe(state.retentionMs)}, configured ${describe(wanted)} (${deadLetters ? 'KAFKA_DLQ_RETENTION_MS' : 'KAFKA_TOPIC_RETENTION_MS'})`,
    );
  }
  if (state.uncleanLeaderElection)
    problems.push('unclean.leader.election.enable=true (an out-of-sync replica could become leader and drop events)');
  return problems;
}

/** Why each catalog topic falls short of the policy, one line per topic; empty when all are fine. */
export function topicShortfalls(states: TopicState[], policy: TopicPolicy): string[] {
  const byName = new Map(states.map((state) => [state.name, state]));
  return catalogTopics().flatMap(({ name, deadLetters }) => {
    const state = byName.get(name);
    if (!state) return [`topic ${name} does not exist`];
    const problems = shortfallsOf(state, policy, deadLetters);
    return problems.length > 0 ? [`topic ${name}: ${problems.join(', ')}`] : [];
  });
}

/** Reads partitions, replicas and the topic-level settings of the given topics. */
export async function readTopicStates(admin: TopicAdmin, names: string[]): Promise<TopicState[]> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((name) => existing.has(name));
  if (present.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: present });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['min.insync.replicas', 'retention.ms', 'unclean.leader.election.enable'],
    })),
  });
  const settings = new Map(resources.map((r) => [r.resourceName, new Map(r.configEntries.map((e) => [e.configName, e.configValue]))]));
  return topics.map((topic) => {
    const values = settings.get(topic.name) ?? new Map<string, string>();
    return {
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
      minInSyncReplicas: Number(values.get('min.insync.replicas') ?? 1),
      retentionMs: Number(values.get('retention.ms') ?? 604_800_000),
      uncleanLeaderElection: values.get('unclean.leader.election.enable') === 'true',
      leaderlessPartitions: topic.partitions.filter((p) => p.leader < 0).length,
    };
  });
}

/** Thrown when topics fall short of the configuration: names each and the fixing command. */
export class TopicsFallShortError extends Error {
  /** `forming`: the cluster may still be starting (too few brokers, topics not yet visible or led), so waiting may cure it. */
  constructor(
    readonly problems: string[],
    readonly forming = false,
  ) {
    super(
      `Kafka topics fall short of the configuration:\n  - ${problems.join('\n  - ')}\nfix: ${FIX_TOPICS_COMMAND} (with the same KAFKA_* settings), or recreate the topics`,
    );
    this.name = 'TopicsFallShortError';
  }
}

/** What the topic checks use of the Kafka admin client. */
export type TopicAdmin = Pick<Admin, 'listTopics' | 'describeCluster' | 'createTopics' | 'fetchTopicMetadata' | 'describeConfigs'>;
/** What fixTopics needs besides: settings rewritten, partitions added, replicas reassigned. */
export type TopicFixAdmin = TopicAdmin & Pick<Admin, 'alterConfigs' | 'createPartitions' | 'alterPartitionReassignments'>;

/** How long start-up waits for a cluster that is still forming (brokers registering, topics another process is creating). */
const TOPICS_READY_TIMEOUT_MS = 90_000;

/**
 * Creates every catalog topic that is missing, with the policy's partitions,
 * replicas and settings, then checks every one; throws TopicsFallShortError
 * when one falls short (existing topics are never changed behind the operator's back).
 *
 * A cluster that is still forming is waited for, up to `timeoutMs`: too few
 * brokers registered yet, a topic another process is creating at the same
 * moment, a partition with no leader elected yet, or a broker that answers
 * with a retriable error. Only then is the shortfall reported.
 */
export async function ensureTopics(admin: TopicAdmin, policy: TopicPolicy, timeoutMs = TOPICS_READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let shortfall: unknown;
    try {
      shortfall = await createAndCheckTopics(admin, policy);
      if (shortfall === undefined) return;
    } catch (error) {
      shortfall = error; // a broker's error while the cluster may still be forming
    }
    const curable = !(shortfall instanceof TopicsFallShortError) || shortfall.forming;
    if (!curable || Date.now() >= deadline) throw shortfall;
    await sleep(Math.min(250 * attempt, 2000));
  }
}

/** One attempt: undefined when every topic is there and fine; else the shortfall, `forming` when waiting may cure it. */
async function createAndCheckTopics(admin: TopicAdmin, policy: TopicPolicy): Promise<TopicsFallShortError | undefined> {
  const wanted = catalogTopics();
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic.name));
  if (missing.length > 0) {
    const brokers = (await admin.describeCluster()).brokers.length;
    if (brokers < policy.replicationFactor) {
      return new TopicsFallShortError(
        [
          `the cluster has ${brokers} broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=${policy.replicationFactor}: the topics ${missing.map((t) => t.name).join(', ')} cannot be created`,
        ],
        true,
      );
    }
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(({ name, deadLetters }) => ({
          topic: name,
          numPartitions: policy.partitions,
          replicationFactor: policy.replicationFactor,
          configEntries: topicSettings(policy, deadLetters),
        })),
      });
    } catch {
      // Another process created some of them at the same moment, or the cluster is still forming: the check below tells.
    }
  }
  const states = await readTopicStates(
    admin,
    wanted.map((topic) => topic.name),
  );
  const problems = topicShortfalls(states, policy);
  const leaderless = states.filter((state) => (state.leaderlessPartitions ?? 0) > 0).map((state) => state.name);
  if (problems.length > 0) {
    // Missing topics are being created (by this process or another): worth waiting for; settings that fall short are not.
    const forming = problems.every((problem) => problem.endsWith(' does not exist'));
    return new TopicsFallShortError(problems, forming);
  }
  if (leaderless.length > 0) return new TopicsFallShortError([`no leader elected yet for partitions of ${leaderless.join(', ')}`], true);
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long fixTopics waits, by default, for the brokers it needs to be listed. */
const BROKER_WAIT_MS = 30_000;

/**
 * The broker ids the cluster lists, waiting up to `waitMs` for `wanted` of them. Each broker
 * answers from its own copy of the cluster metadata: just after a start, the broker asked may not
 * have applied the last unfencing yet while another already has (a cluster start failed at once on
 * seeing 2 of 3 brokers a moment after they had all registered).
 */
export async function brokerIdsOf(admin: Pick<TopicAdmin, 'describeCluster'>, wanted: number, waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ids = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    if (ids.length >= wanted || Date.now() >= deadline) return ids;
    await sleep(500);
  }
}

/**
 * Brings existing topics up to the policy: settings rewritten, partitions
 * added, replicas added by reassignment (spread over the brokers). Returns what it changed.
 */
export async function fixTopics(admin: TopicFixAdmin, policy: TopicPolicy, brokerWaitMs = BROKER_WAIT_MS): Promise<string[]> {
  const wanted = catalogTopics();
  const states = new Map(
    (
      await readTopicStates(
        admin,
        wanted.map((t) => t.name),
      )
    ).map((s) => [s.name, s]),
  );
  const brokerIds = await brokerIdsOf(admin, policy.replicationFactor, brokerWaitMs);
  if (brokerIds.length < policy.replicationFactor) {
    throw new Error(
      `the cluster has ${brokerIds.length} broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=${policy.replicationFactor} (after ${brokerWaitMs / 1000} s)`,
    );
  }
  const changed: string[] = [];
  for (const { name, deadLetters } of wanted) {
    const state = states.get(name);
    if (!state) continue; // ensureTopics creates it
    if (shortfallsOf(state, policy, deadLetters).length === 0) continue;
    // The legacy AlterConfigs call replaces the topic's settings: we set all three we manage.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: topicSettings(policy, deadLetters) }],
    });
    if (state.partitions < policy.partitions)
      await admin.createPartitions({ topicPartitions: [{ topic: name, count: policy.partitions }] });
    if (state.replicationFactor < policy.replicationFactor) {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      await admin.alterPartitionReassignments({
        topics: [
          {
            topic: name,
            partitionAssignment: topics[0]!.partitions.map((p) => {
              const others = brokerIds.filter((id) => !p.replicas.includes(id));
              return { partition: p.partitionId, replicas: [...p.replicas, ...others].slice(0, policy.replicationFactor) };
            }),
          },
        ],
      });
    }
    changed.push(name);
  }
  return changed;
}
