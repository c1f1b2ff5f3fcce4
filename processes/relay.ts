/** The outbox relay process: every service's outbox -> Kafka. Several may run; one drains each outbox at a time. */
import { connectKafkaProducer, kafkaConnectionOf } from '../services/platform/kafka.ts';
import { topicPolicyOf } from '../services/platform/kafka-topics.ts';
import { startRelay } from '../services/platform/relay.ts';
import { createDb } from '../services/platform/db.ts';
import { checkSchema } from '../services/platform/schema-check.ts';
import { isMain, runMain, runServiceProcess, type Runtime } from './runtime.ts';

export async function startRelayProcess({ config, logger }: Runtime) {
  const db = createDb(config.DATABASE_URL, 1);
  await checkSchema(db).finally(() => db.$disconnect());
  // Idempotent producer: a retried send is written once per partition; acks=all is set per batch.
  const { producer } = await connectKafkaProducer({
    ...kafkaConnectionOf(config),
    clientId: `${config.KAFKA_CLIENT_ID}-relay`,
    logger,
    topics: topicPolicyOf(config),
  });
  const relay = await startRelay({
    databaseUrl: config.DATABASE_URL,
    producer,
    logger,
    ...(config.RELAY_CRASH_AFTER_PUBLISH
      ? {
          afterPublish: () => {
            logger.warn('test fault: exiting between publishing and marking published');
            process.exit(86);
          },
        }
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
