// A single Apache Kafka 3.9.1 broker in KRaft mode (broker and controller in one JVM).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { execFileAsync, portOpen, spawnServer } from './process-helpers.ts';
import { CACHE, logFile, portsOf, serverDir, type Profile } from './profiles.ts';
import type { ServerDefinition } from './server.ts';
import { withProxiedKafkaListener } from './toxiproxy.ts';

const KAFKA_LIBS = join(CACHE, 'kafka-3.9.1/libs');
// KRaft needs a fixed cluster id (16 bytes, base64url): "bookrentalsagas1".
const KAFKA_CLUSTER_ID = 'Ym9va3JlbnRhbHNhZ2FzMQ';

function writeKafkaConfig(profile: Profile): { properties: string; log4j: string } {
  const dir = serverDir(profile, 'kafka');
  const { kafka, kafkaController } = portsOf(profile);
  mkdirSync(dir, { recursive: true });
  const properties = join(dir, 'server.properties');
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    properties,
    // Test profiles: a second listener for the app processes behind Toxiproxy (toxiproxy.ts).
    withProxiedKafkaListener(profile, [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      // a single broker can only replicate once
      'offsets.topic.replication.factor=1',
      // One broker: a few offset partitions make the first consumer group join in a second, not ten.
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'auto.create.topics.enable=false', // topics are created explicitly, typos must fail
      'num.partitions=3',
      'group.initial.rebalance.delay.ms=0', // consumers join at once instead of after 3s
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
      '',
    ].join('\n'),
  );
  return { properties, log4j };
}

async function prepareKafka(profile: Profile): Promise<void> {
  const { properties, log4j } = writeKafkaConfig(profile);
  if (existsSync(join(serverDir(profile, 'kafka'), 'data', 'meta.properties'))) return;
  await execFileAsync(
    'java',
    ['-cp', `${KAFKA_LIBS}/*`, `-Dlog4j.configuration=file:${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', KAFKA_CLUSTER_ID, '-c', properties],
    { cwd: serverDir(profile, 'kafka') },
  );
}

function startKafka(profile: Profile, detached: boolean) {
  const dir = serverDir(profile, 'kafka');
  const args = [
    '-Xms256m', '-Xmx512m',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp', `${KAFKA_LIBS}/*`,
    'kafka.Kafka', join(dir, 'server.properties'),
  ];
  return spawnServer(logFile(profile, 'kafka'), 'java', args, { detached, cwd: dir });
}

/** A metadata round-trip with the client the project uses proves the broker is usable, not just listening. */
async function kafkaReady(profile: Profile): Promise<boolean> {
  if (!(await portOpen(portsOf(profile).kafka))) return false;
  const kafka = new kafkajs.Kafka({
    clientId: 'infra-probe',
    brokers: [`127.0.0.1:${portsOf(profile).kafka}`],
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

export const kafka: ServerDefinition = {
  name: 'kafka',
  installer: 'install-kafka.sh',
  commandMarker: 'kafka.Kafka',
  startTimeoutMs: 120_000,
  prepare: prepareKafka,
  start: startKafka,
  ready: kafkaReady,
};
