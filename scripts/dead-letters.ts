/**
 * Dead letters: what consumers parked on `<topic>.dlq`, and sending them back.
 *   npm run dlq -- list [topic]      every dead letter with its reason (reads, commits nothing)
 *   npm run dlq -- redrive <topic>   republishes <topic>.dlq to <topic> once the cause is fixed;
 *                                    the consumer group `dlq-redrive` remembers what was re-driven
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { ALL_TOPICS, deadLetterTopic, type Topic } from '../services/contracts/events.ts';
import { PRODUCER_CONFIG, createKafka, kafkaConnectionOf } from '../services/platform/kafka.ts';
import { isMain, startRuntime } from '../processes/runtime.ts';

export interface DeadLetter {
  topic: Topic;
  offset: string;
  key: string | undefined;
  reason: string;
  original: string;
  value: Buffer | null;
  headers: IHeaders;
}

const header = (headers: IHeaders | undefined, name: string) => headers?.[name]?.toString();

/** Reads `<topic>.dlq` from `groupId`'s position up to the end captured now; calls `each` in order. */
async function readDeadLetters(kafka: Kafka, topic: Topic, groupId: string, commit: boolean, each: (letter: DeadLetter) => Promise<void>): Promise<number> {
  const dlq = deadLetterTopic(topic);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(dlq)).map((p) => [p.partition, Number(p.high)]));
  const starts = new Map((await admin.fetchOffsets({ groupId, topics: [dlq] }))[0]?.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]) ?? []);
  await admin.disconnect();
  const pending = [...ends].filter(([partition, high]) => high > (starts.get(partition) ?? 0));
  if (pending.length === 0) return 0;
  const consumer = kafka.consumer({ groupId });
  let count = 0;
  const done = new Set<number>();
  await consumer.connect();
  await consumer.subscribe({ topic: dlq, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: commit,
        eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
          if (Number(message.offset) < (ends.get(partition) ?? 0)) {
            await each({
              topic,
              offset: `${partition}:${message.offset}`,
              key: message.key?.toString(),
              reason: header(message.headers, 'dlq-reason') ?? '?',
              original: `${header(message.headers, 'dlq-original-topic')}[${header(message.headers, 'dlq-original-partition')}]@${header(message.headers, 'dlq-original-offset')}`,
              value: message.value,
              headers: message.headers ?? {},
            });
            count++;
          }
          if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) done.add(partition);
          if (pending.every(([p]) => done.has(p))) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return count;
}

/** Every dead letter of the topics, read with a throwaway group. */
export async function listDeadLetters(kafka: Kafka, topics: Topic[] = ALL_TOPICS): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const topic of topics) {
    const groupId = `dlq-list-${randomUUID()}`;
    await readDeadLetters(kafka, topic, groupId, false, async (letter) => void letters.push(letter));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
  return letters;
}

/** Republishes the dead letters not re-driven before to their original topic, original headers kept. */
export async function redriveDeadLetters(kafka: Kafka, topic: Topic): Promise<number> {
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  try {
    return await readDeadLetters(kafka, topic, 'dlq-redrive', true, async (letter) => {
      const headers = Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq-')));
      await producer.send({ topic, acks: -1, messages: [{ key: letter.key ?? null, value: letter.value, headers: { ...headers, 'redriven-from': letter.offset } }] });
    });
  } finally {
    await producer.disconnect();
  }
}

async function main() {
  const { config, logger } = startRuntime('dlq');
  const kafka = createKafka({ ...kafkaConnectionOf(config), clientId: 'book-rental-dlq', logger });
  const [command, topic] = process.argv.slice(2);
  if (topic && !ALL_TOPICS.includes(topic as Topic)) throw new Error(`unknown topic ${topic}; known: ${ALL_TOPICS.join(', ')}`);
  if (command === 'list') {
    const letters = await listDeadLetters(kafka, topic ? [topic as Topic] : ALL_TOPICS);
    for (const letter of letters) console.log(`${letter.topic}.dlq ${letter.offset}\tkey=${letter.key}\tfrom ${letter.original}\t${letter.reason}`);
    console.log(`${letters.length} dead letter(s)`);
  } else if (command === 'redrive' && topic) {
    console.log(`re-drove ${await redriveDeadLetters(kafka, topic as Topic)} message(s) to ${topic}`);
  } else {
    throw new Error('usage: dead-letters.ts list [topic] | redrive <topic>');
  }
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
