// Apache Kafka 3.9.1 in KRaft mode: one broker (broker and controller in one JVM) in the dev and
// test profiles; three in the cluster profile, each broker and controller, a controller quorum of three.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { execFileAsync, portOpen, spawnServer } from './process-helpers.ts';
import { CACHE, isCluster, logFile, portsOf, serverDir, type Profile } from './profiles.ts';
import type { ServerDefinition } from './server.ts';
import { withProxiedKafkaListener } from './toxiproxy.ts';
import { brokerIdsOf, fixTopics, SINGLE_BROKER_POLICY, type TopicPolicy } from '../../services/platform/kafka-topics.ts';

const KAFKA_LIBS = join(CACHE, 'kafka-3.9.1/libs');
// KRaft needs a fixed cluster id (16 bytes, base64url): "bookrentalsagas1".
const KAFKA_CLUSTER_ID = 'Ym9va3JlbnRhbHNhZ2FzMQ';

export type BrokerName = 'kafka' | 'kafka2' | 'kafka3';
const BROKERS: BrokerName[] = ['kafka', 'kafka2', 'kafka3'];
const nodeIdOf = (name: BrokerName) => BROKERS.indexOf(name) + 1;
const brokerPort = (profile: Profile, name: BrokerName) => portsOf(profile)[name];
const controllerPort = (profile: Profile, name: BrokerName) => portsOf(profile)[`${name}Controller`];

/** The cluster profile's topics: three replicas, two in sync for acks=all, kept forever. */
export const CLUSTER_TOPIC_POLICY: TopicPolicy = {
  partitions: 3,
  replicationFactor: 3,
  minInSyncReplicas: 2,
  retentionMs: -1,
  dlqRetentionMs: -1,
};
export const topicPolicyOfProfile = (profile: Profile): TopicPolicy => (isCluster(profile) ? CLUSTER_TOPIC_POLICY : SINGLE_BROKER_POLICY);

/** Every broker address of the profile, as KAFKA_BROKERS lists them. */
export const brokersOf = (profile: Profile): string =>
  (isCluster(profile) ? BROKERS : (['kafka'] as BrokerName[])).map((name) => `127.0.0.1:${brokerPort(profile, name)}`).join(',');

function writeKafkaConfig(profile: Profile, name: BrokerName): { properties: string; log4j: string } {
  const dir = serverDir(profile, name);
  const port = brokerPort(profile, name);
  const controller = controllerPort(profile, name);
  const cluster = isCluster(profile);
  const voters = (cluster ? BROKERS : [name]).map((b) => `${nodeIdOf(b)}@127.0.0.1:${controllerPort(profile, b)}`).join(',');
  const replicas = cluster ? 3 : 1;
  mkdirSync(dir, { recursive: true });
  const properties = join(dir, 'server.properties');
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    properties,
    // Test profiles: a second listener for the app processes behind Toxiproxy (toxiproxy.ts).
    withProxiedKafkaListener(profile, [
      'process.roles=broker,controller',
      `node.id=${nodeIdOf(name)}`,
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      // consumer offsets and producer state replicated like the events (one broker: once)
      `offsets.topic.replication.factor=${replicas}`,
      // A few offset partitions make the first consumer group join in a second, not ten.
      'offsets.topic.num.partitions=3',
      `transaction.state.log.replication.factor=${replicas}`,
      `transaction.state.log.min.isr=${cluster ? 2 : 1}`,
      // Defaults for any topic made without the project's settings; the project's own get them explicitly.
      `default.replication.factor=${replicas}`,
      `min.insync.replicas=${cluster ? 2 : 1}`,
      'unclean.leader.election.enable=false',
      'auto.create.topics.enable=false', // topics are created explicitly, typos must fail
      'num.partitions=3',
      'group.initial.rebalance.delay.ms=0', // consumers join at once instead of after 3s
      ...(cluster
        ? [
            // A killed broker is noticed in seconds, not the default 9 s session + 18 s fetch backoff.
            'broker.session.timeout.ms=6000',
            'broker.heartbeat.interval.ms=1000',
            'replica.lag.time.max.ms=10000',
            // A restarted broker gets its preferred leaderships back within 10 s, not the default 5 min.
            'leader.imbalance.check.interval.seconds=10',
          ]
        : []),
      '',
    ]).join('\n'),
  );
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${join(dir, 'server.log')}`,
      'log4j.appender.file.MaxFileSize=10MB',
      'log4j.appender.file.MaxBackupIndex=2',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      // Registration, fencing and heartbeats of brokers, to tell why one did not join (a handful of lines per broker).
      'log4j.logger.kafka.server.BrokerLifecycleManager=INFO',
      'log4j.logger.org.apache.kafka.controller.ClusterControlManager=INFO',
      '',
    ].join('\n'),
  );
  return { properties, log4j };
}

async function prepareKafka(profile: Profile, name: BrokerName): Promise<void> {
  const { properties, log4j } = writeKafkaConfig(profile, name);
  if (existsSync(join(serverDir(profile, name), 'data', 'meta.properties'))) return;
  await execFileAsync(
    'java',
    [
      '-cp',
      `${KAFKA_LIBS}/*`,
      `-Dlog4j.configuration=file:${log4j}`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      KAFKA_CLUSTER_ID,
      '-c',
      properties,
    ],
    { cwd: serverDir(profile, name) },
  );
}

function startKafka(profile: Profile, name: BrokerName, detached: boolean) {
  const dir = serverDir(profile, name);
  // Three JVMs share two cores and the other servers: small heaps, one GC thread pool each.
  const heap = isCluster(profile) ? ['-Xms256m', '-Xmx384m', '-XX:ParallelGCThreads=1', '-XX:CICompilerCount=2'] : ['-Xms256m', '-Xmx512m'];
  const args = [
    ...heap,
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    `${KAFKA_LIBS}/*`,
    'kafka.Kafka',
    join(dir, 'server.properties'),
  ];
  return spawnServer(logFile(profile, name), 'java', args, { detached, cwd: dir });
}

/** A metadata round-trip with the client the project uses proves the broker is usable, not just listening. */
async function kafkaReady(profile: Profile, name: BrokerName): Promise<boolean> {
  const port = brokerPort(profile, name);
  if (!(await portOpen(port))) return false;
  const kafka = new kafkajs.Kafka({
    clientId: 'infra-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Topics made by earlier runs are brought up to today's policy (retention
 * forever, min ISR, no unclean election): the app processes refuse topics
 * that fall short, and the project's own data should never make them.
 * In the cluster profile this waits for all three brokers (the last one to become ready does it).
 */
async function upgradeTopics(profile: Profile, name: BrokerName): Promise<void> {
  if (isCluster(profile)) {
    for (const broker of BROKERS) if (!(await kafkaReady(profile, broker))) return;
  } else if (name !== 'kafka') return;
  const kafka = new kafkajs.Kafka({ clientId: 'infra-topics', brokers: brokersOf(profile).split(','), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Each broker answers before the others' registrations reach it: wait until the metadata names all of them.
    const wanted = isCluster(profile) ? BROKERS.length : 1;
    const registered = await brokerIdsOf(admin, wanted, 60_000);
    if (registered.length < wanted) {
      const missing = BROKERS.filter((broker) => !registered.includes(nodeIdOf(broker)));
      throw new Error(
        `the cluster has ${registered.length} broker(s), fewer than KAFKA_TOPIC_REPLICATION_FACTOR=${wanted}: ` +
          `${missing.join(', ')} never registered in 60 s (see ${missing.map((broker) => `${serverDir(profile, broker)}/server.log`).join(', ')})`,
      );
    }
    await fixTopics(admin, topicPolicyOfProfile(profile));
  } finally {
    await admin.disconnect();
  }
}

function brokerDefinition(name: BrokerName): ServerDefinition {
  return {
    name,
    installer: 'install-kafka.sh',
    // The properties path tells the three brokers (and profiles) apart in /proc/<pid>/cmdline.
    commandMarker: `${name}/server.properties`,
    startTimeoutMs: 120_000,
    prepare: (profile) => prepareKafka(profile, name),
    start: (profile, detached) => startKafka(profile, name, detached),
    ready: (profile) => kafkaReady(profile, name),
    setUp: (profile) => upgradeTopics(profile, name),
  };
}

export const kafka = brokerDefinition('kafka');
export const kafka2 = brokerDefinition('kafka2');
export const kafka3 = brokerDefinition('kafka3');
