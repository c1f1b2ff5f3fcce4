/** The consumers process: Kafka consumer groups that build read models. Run several for more throughput. */
import type { Consumer } from 'kafkajs';
import { READ_MODEL_GROUPS, readModels } from '../services/read-models.ts';
import { createDb } from '../services/platform/db.ts';
import { startConsumerGroup } from '../services/platform/consumer.ts';
import { startLagMonitor } from '../services/platform/consumer-lag.ts';
import { metricsPort, serveMetrics } from '../services/platform/metrics.ts';
import { PRODUCER_CONFIG, createKafka, ensureTopics } from '../services/platform/kafka.ts';
import { isMain, onShutdown, runMain, startRuntime, type Runtime } from './runtime.ts';

/** Every consumer group this process runs (one per read model). */
export const CONSUMER_GROUPS = READ_MODEL_GROUPS;

export async function startConsumers({ config, logger }: Runtime) {
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-consumers`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  await admin.disconnect();
  const producer = kafka.producer(PRODUCER_CONFIG); // for dead letters
  await producer.connect();
  const models = readModels(db);
  const groups: Consumer[] = await Promise.all(
    models.map((model) =>
      startConsumerGroup({ kafka, producer, logger, groupId: model.groupId, subscriptions: model.phases.flat() }),
    ),
  );
  // Consumer lag and dead-letter topic sizes for the metrics.
  const lag = await startLagMonitor({
    kafka,
    logger,
    groups: models.map((model) => ({ groupId: model.groupId, topics: model.phases.flat().map((subscription) => subscription.topic) })),
  });
  return {
    lag,
    async stop() {
      await lag.stop();
      await Promise.all(groups.map((group) => group.disconnect()));
      await producer.disconnect();
      await db.$disconnect();
    },
  };
}

async function main() {
  const runtime = startRuntime('consumers');
  // First: the endpoint answers while the process is still connecting.
  const metrics = await serveMetrics({ port: metricsPort(runtime.config, 'consumers'), logger: runtime.logger });
  const { stop } = await startConsumers(runtime);
  runtime.logger.info('consumers running');
  onShutdown(runtime.logger, async () => {
    await stop();
    await metrics.close();
  });
}

if (isMain(import.meta.url)) runMain(main);
