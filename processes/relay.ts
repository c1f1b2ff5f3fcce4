/** The outbox relay process: every service's outbox -> Kafka. Several may run; one drains each outbox at a time. */
import { connectKafkaProducer, kafkaConnectionOf, type EventProducer } from '../services/platform/kafka.ts';
import { topicPolicyOf } from '../services/platform/kafka-topics.ts';
import { startRelay } from '../services/platform/relay.ts';
import { createDb } from '../services/platform/db.ts';
import { checkSchema } from '../services/platform/schema-check.ts';
import { databaseUrlOf, relayOutboxUrlsOf } from '../services/platform/service-databases.ts';
import { isMain, runMain, runServiceProcess, type Runtime } from './runtime.ts';

/** `wrapProducer` lets another entry point decorate the Kafka producer of the same process. */
export async function startRelayProcess(
  { config, logger }: Runtime,
  wrapProducer: (producer: EventProducer) => EventProducer = (producer) => producer,
) {
  // The relay's own role: every outbox table, nothing else (scripts/db/roles.ts). An outbox whose service
  // lives in a database of its own is read there (RELAY_<SCHEMA>_OUTBOX_URL); loadConfig checked the layout.
  const databaseUrl = databaseUrlOf(config, 'relay');
  const outboxUrls = relayOutboxUrlsOf(config);
  for (const url of new Set([databaseUrl, ...Object.values(outboxUrls)])) {
    const db = createDb(url, 1);
    await checkSchema(db).finally(() => db.$disconnect());
  }
  // Idempotent producer: a retried send is written once per partition; acks=all is set per batch.
  const { producer } = await connectKafkaProducer({
    ...kafkaConnectionOf(config),
    clientId: `${config.KAFKA_CLIENT_ID}-relay`,
    logger,
    topics: topicPolicyOf(config),
  });
  const relay = await startRelay({
    databaseUrl,
    outboxUrls,
    producer: wrapProducer(producer),
    logger,
    ...(config.OUTBOX_RETENTION_SECONDS > 0
      ? { retentionSeconds: config.OUTBOX_RETENTION_SECONDS, pruneIntervalMs: config.OUTBOX_PRUNE_INTERVAL_SECONDS * 1000 }
      : {}),
  });
  return {
    relay,
    async stop() {
      await relay.stop();
      await producer.disconnect();
    },
  };
}

if (isMain(import.meta.url)) runMain(() => runServiceProcess('relay', startRelayProcess, 'relay publishing outboxes'));
