/**
 * Kafka from the command line, for the running system (found by itself, or --profile):
 *   npm run events -- topics                                   partitions, leader, replicas, ISR, offsets,
 *                                                              retention, and lag per consumer group
 *   npm run events -- tail <topic> [--key K] [--from-beginning] [--max N]
 *                                                              follows a topic, one decoded envelope per line
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../services/platform/config.ts';
import { createKafka, kafkaConnectionOf } from '../services/platform/kafka.ts';
import { consumerGroupLags, decodeMessage, describeTopics } from '../services/platform/kafka-inspect.ts';
import { createLogger } from '../services/platform/logger.ts';
import { useOperatorTarget } from './operator-target.ts';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

const retention = (ms: string | undefined) => {
  if (ms === undefined) return '?';
  if (Number(ms) < 0) return 'forever';
  const hours = Number(ms) / 3_600_000;
  return hours >= 24 ? `${+(hours / 24).toFixed(1)}d` : `${+hours.toFixed(1)}h`;
};

async function main() {
  const brokersByHand = process.env.KAFKA_BROKERS !== undefined;
  const { profile, args } = useOperatorTarget();
  const config = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused@localhost/unused' });
  const logger = createLogger({ name: 'events', level: 'error' });
  const kafka = createKafka({ ...kafkaConnectionOf(config), clientId: 'book-rental-events', logger });
  const [command, topic] = args;
  console.error(`(${brokersByHand ? 'KAFKA_BROKERS' : `profile ${profile}`}: ${config.KAFKA_BROKERS.join(',')})`);

  if (command === 'topics') {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await describeTopics(admin);
      console.log('topic\tpartition\tleader\treplicas\tisr\tlow\thigh\tretention');
      for (const view of topics) {
        for (const p of view.partitions) {
          console.log(
            [view.topic, p.partition, p.leader, p.replicas.join(','), p.isr.join(','), p.low, p.high, retention(view.retentionMs)].join(
              '\t',
            ),
          );
        }
      }
      console.log('\ngroup\ttopic\tlag');
      const lags = await consumerGroupLags(admin);
      for (const lag of lags) console.log(`${lag.groupId}\t${lag.topic}\t${lag.lag}`);
      if (lags.length === 0) console.log('(no consumer group has committed anything yet)');
    } finally {
      await admin.disconnect();
    }
    return;
  }

  if (command === 'tail' && topic) {
    const key = option(args, '--key');
    const max = option(args, '--max') === undefined ? Infinity : Number(option(args, '--max'));
    const admin = kafka.admin();
    await admin.connect();
    const known = await admin.listTopics();
    await admin.disconnect();
    if (!known.includes(topic))
      throw new Error(
        `no topic ${topic}; known: ${known
          .filter((name) => !name.startsWith('__'))
          .sort()
          .join(', ')}`,
      );
    const groupId = `events-tail-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    let printed = 0;
    const stop = async (code: number) => {
      await consumer.disconnect().catch(() => {});
      const cleanup = kafka.admin();
      await cleanup.connect().catch(() => {});
      await cleanup.deleteGroups([groupId]).catch(() => {});
      await cleanup.disconnect().catch(() => {});
      process.exit(code);
    };
    process.on('SIGINT', () => void stop(0));
    process.on('SIGTERM', () => void stop(0));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: args.includes('--from-beginning') });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (printed >= max) return;
        const event = decodeMessage(topic, partition, message);
        if (key !== undefined && event.key !== key) return;
        console.log(JSON.stringify(event));
        // Not from inside the handler: disconnecting waits for the handler to return.
        if (++printed >= max) setImmediate(() => void stop(0));
      },
    });
    return;
  }
  throw new Error('usage: events.ts topics | tail <topic> [--key K] [--from-beginning] [--max N]   (and --profile <name>)');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
