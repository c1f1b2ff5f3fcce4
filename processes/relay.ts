/** The outbox relay process: every service's outbox -> Kafka. Several may run; one drains each outbox at a time. */
import { PRODUCER_CONFIG, createKafka, ensureTopics } from '../services/platform/kafka.ts';
import { metricsPort, serveMetrics } from '../services/platform/metrics.ts';
import { startRelay } from '../services/platform/relay.ts';
import { isMain, onShutdown, runMain, startRuntime, type Runtime } from './runtime.ts';

export async function startRelayProcess({ config, logger }: Runtime) {
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-relay`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  await admin.disconnect();
  // Idempotent producer: a retried send is written once per partition; acks=all is set per batch.
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
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

async function main() {
  const runtime = startRuntime('relay');
  // First: the endpoint answers while the process is still connecting.
  const metrics = await serveMetrics({ port: metricsPort(runtime.config, 'relay'), logger: runtime.logger });
  const { stop } = await startRelayProcess(runtime);
  runtime.logger.info('relay publishing outboxes');
  onShutdown(runtime.logger, async () => {
    await stop();
    await metrics.close();
  });
}

if (isMain(import.meta.url)) runMain(main);
