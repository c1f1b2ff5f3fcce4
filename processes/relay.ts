/** The outbox relay process: every service's outbox -> Kafka. Several may run; one drains each outbox at a time. */
import type { Producer } from 'kafkajs';
import { connectKafkaProducer } from '../services/platform/kafka.ts';
import { startRelay } from '../services/platform/relay.ts';
import { isMain, runMain, runServiceProcess, type Runtime } from './runtime.ts';

/** `wrapProducer` lets another entry point decorate the Kafka producer of the same process. */
export async function startRelayProcess({ config, logger }: Runtime, wrapProducer: (producer: Producer) => Producer = (producer) => producer) {
  // Idempotent producer: a retried send is written once per partition; acks=all is set per batch.
  const { producer } = await connectKafkaProducer({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-relay`, logger });
  const relay = await startRelay({
    databaseUrl: config.DATABASE_URL,
    producer: wrapProducer(producer),
    logger,
    ...(config.OUTBOX_RETENTION_SECONDS > 0 ? { retentionSeconds: config.OUTBOX_RETENTION_SECONDS, pruneIntervalMs: config.OUTBOX_PRUNE_INTERVAL_SECONDS * 1000 } : {}),
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
