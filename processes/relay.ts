/** The outbox relay process: every service's outbox -> Kafka. Several may run; one drains each outbox at a time. */
import { connectKafkaProducer } from '../services/platform/kafka.ts';
import { startRelay } from '../services/platform/relay.ts';
import { isMain, runMain, runServiceProcess, type Runtime } from './runtime.ts';

export async function startRelayProcess({ config, logger }: Runtime) {
  // Idempotent producer: a retried send is written once per partition; acks=all is set per batch.
  const { producer } = await connectKafkaProducer({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-relay`, logger });
  const relay = await startRelay({
    databaseUrl: config.DATABASE_URL,
    producer,
    logger,
    ...(config.OUTBOX_RETENTION_SECONDS > 0 ? { retentionSeconds: config.OUTBOX_RETENTION_SECONDS, pruneIntervalMs: config.OUTBOX_PRUNE_INTERVAL_SECONDS * 1000 } : {}),
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
