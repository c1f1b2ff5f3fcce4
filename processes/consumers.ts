/** The consumers process: Kafka consumer groups that build read models, and the notifications service's group. Run several for more throughput. */
import { READ_MODEL_GROUPS, readModels } from '../services/read-models.ts';
import { deliverToMember } from '../services/auth/mail-delivery.ts';
import { NOTIFICATIONS_GROUP, notificationSubscriptions } from '../services/notifications/notices.ts';
import { createMailer } from '../services/platform/mailer.ts';
import { createServiceDbs, distinctDbs, type ServiceSchema } from '../services/platform/service-databases.ts';
import { checkSchema } from '../services/platform/schema-check.ts';
import { startConsumerGroup, type ReadingConsumerGroup } from '../services/platform/consumer.ts';
import { startLagMonitor } from '../services/platform/consumer-lag.ts';
import { StuckPartitions } from '../services/platform/stuck-partitions.ts';
import { connectKafkaProducer, kafkaConnectionOf } from '../services/platform/kafka.ts';
import { topicPolicyOf } from '../services/platform/kafka-topics.ts';
import { isMain, runMain, runServiceProcess, type Runtime } from './runtime.ts';

/**
 * How long a partition this process reads may sit with messages waiting and its offset still before its group's
 * consumer here is replaced. Partitions paused for an infrastructure failure, and those another process reads, do
 * not count; a handler that keeps failing dead-letters its message within about half a minute.
 */
const STUCK_PARTITION_MS = 60_000;

/** Every consumer group this process runs (one per read model, and the notifier's). */
export const CONSUMER_GROUPS = { ...READ_MODEL_GROUPS, notifications: NOTIFICATIONS_GROUP };

/** The service whose schema each read model lives in: its handlers run on that service's connection only. */
export const READ_MODEL_SERVICES: Record<(typeof READ_MODEL_GROUPS)[keyof typeof READ_MODEL_GROUPS], ServiceSchema> = {
  [READ_MODEL_GROUPS.partnerSummary]: 'partner',
  [READ_MODEL_GROUPS.bestBook]: 'bestbook',
  [READ_MODEL_GROUPS.memberHistory]: 'member',
  [READ_MODEL_GROUPS.rentalBookTitles]: 'rental',
};

export async function startConsumers({ config, logger }: Runtime) {
  const dbs = createServiceDbs(
    config,
    [...new Set([...Object.values(READ_MODEL_SERVICES), 'notifications' as const])],
    config.DATABASE_POOL_SIZE,
  );
  for (const db of distinctDbs(dbs)) await checkSchema(db);
  // The producer is for dead letters.
  const { kafka, producer } = await connectKafkaProducer({
    ...kafkaConnectionOf(config),
    clientId: `${config.KAFKA_CLIENT_ID}-consumers`,
    logger,
    topics: topicPolicyOf(config),
  });
  // Each read model built with its own service's client (the list is the same for every client; one model is taken from each).
  const models = Object.values(READ_MODEL_GROUPS).map(
    (groupId) => readModels(dbs[READ_MODEL_SERVICES[groupId]]).find((model) => model.groupId === groupId)!,
  );
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  // Not a read model: a rebuild must not mail anyone again, so the notifier is not in readModels().
  const notifier = {
    groupId: NOTIFICATIONS_GROUP,
    subscriptions: notificationSubscriptions({
      db: dbs.notifications,
      deliver: (memberId, mail) => deliverToMember(dbs.notifications, mailer, memberId, mail),
    }),
  };
  const consumed = [...models.map((model) => ({ groupId: model.groupId, subscriptions: model.subscriptions })), notifier];
  const groups: ReadingConsumerGroup[] = await Promise.all(
    consumed.map(({ groupId, subscriptions }) => startConsumerGroup({ kafka, producer, logger, groupId, subscriptions })),
  );
  // Consumer lag and dead-letter topic sizes for the metrics.
  // A group that stopped reading a partition it holds here (messages waiting, its offset still for a minute) gets a new consumer.
  const stuck = new StuckPartitions(STUCK_PARTITION_MS);
  const groupOf = (groupId: string) => groups.find((group) => group.groupId === groupId);
  const lag = await startLagMonitor({
    kafka,
    logger,
    groups: consumed.map(({ groupId, subscriptions }) => ({ groupId, topics: subscriptions.map((subscription) => subscription.topic) })),
    onReadings: (readings) => {
      const readHere = readings.filter(({ groupId, topic, partition }) => groupOf(groupId)?.isReading(topic, partition));
      for (const { groupId, topic, partition, stuckForMs } of stuck.observe(readHere, Date.now()))
        groupOf(groupId)?.replace(
          `${topic}[${partition}] has messages waiting and its offset has not moved for ${Math.round(stuckForMs / 1000)} s`,
        );
    },
  });
  return {
    lag,
    async stop() {
      await lag.stop();
      await Promise.all(groups.map((group) => group.disconnect()));
      await producer.disconnect();
      mailer.close();
      await dbs.disconnect();
    },
  };
}

if (isMain(import.meta.url)) runMain(() => runServiceProcess('consumers', startConsumers, 'consumers running'));
