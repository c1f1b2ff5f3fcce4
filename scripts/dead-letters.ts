/**
 * Dead letters: what consumer groups parked on `<topic>.dlq`, and what an operator does with them.
 *   npm run dlq -- list [topic] [--all]          unhandled dead letters with their group and reason (--all: handled ones too)
 *   npm run dlq -- redrive <topic> [--group g]    sends each unhandled letter back to its topic for its own group only;
 *                                                 a message parked twice by one group goes once; each is recorded as re-driven
 *   npm run dlq -- discard <topic> <partition:offset|all> --reason "…"   settles letters without re-driving; the reason is kept
 * The records (`dlq-action`) are appended to the dead-letter topic itself, beside the letters they settle
 * (scripts/dlq/ledger.ts). Finds the running dev profile, or `--profile test`.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { ALL_TOPICS, deadLetterTopic, type Topic } from '../services/contracts/events.ts';
import { REDRIVE_GROUP_HEADER } from '../services/platform/consumer.ts';
import { PRODUCER_CONFIG, createKafka, kafkaConnectionOf } from '../services/platform/kafka.ts';
import { isMain, startRuntime } from '../processes/runtime.ts';
import {
  ACTION_AT_HEADER,
  ACTION_HEADER,
  ACTION_OF_HEADER,
  ACTION_REASON_HEADER,
  planRedrive,
  settle,
  type DlqRecord,
  type Letter,
} from './dlq/ledger.ts';
import { useOperatorTarget } from './operator-target.ts';

export interface DeadLetter extends Letter {
  topic: Topic;
  /** Same as position: `partition:offset` in `<topic>.dlq`. */
  offset: string;
  /** Headers as Kafka gave them (the letter's own, and the dlq-* ones). */
  rawHeaders: KafkaMessage['headers'];
}

/** Every record of `<topic>.dlq` up to the end offsets taken now, read with a throwaway group. */
async function readRecords(kafka: Kafka, topic: Topic): Promise<{ record: DlqRecord; raw: KafkaMessage['headers'] }[]> {
  const dlq = deadLetterTopic(topic);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(dlq)).map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
  const pending = [...ends].filter(([, range]) => range.high > range.low).map(([partition]) => partition);
  const records: { record: DlqRecord; raw: KafkaMessage['headers'] }[] = [];
  if (pending.length > 0) {
    const groupId = `dlq-read-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    const done = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition)?.high ?? 0;
            if (Number(message.offset) < end) {
              records.push({
                record: {
                  position: `${partition}:${message.offset}`,
                  key: message.key?.toString(),
                  value: message.value,
                  headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()])),
                },
                raw: message.headers,
              });
            }
            if (Number(message.offset) + 1 >= end) done.add(partition);
            if (pending.every((p) => done.has(p))) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  await admin.disconnect();
  return records;
}

/** Every dead letter of the topics with its group and status (unhandled, redriven, discarded). */
export async function listDeadLetters(kafka: Kafka, topics: Topic[] = ALL_TOPICS): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const topic of topics) {
    const records = await readRecords(kafka, topic);
    const raw = new Map(records.map(({ record, raw }) => [record.position, raw]));
    for (const letter of settle(records.map(({ record }) => record)))
      letters.push({ ...letter, topic, offset: letter.position, rawHeaders: raw.get(letter.position) });
  }
  return letters;
}

async function record(producer: Producer, topic: Topic, letter: Letter, action: 'redriven' | 'discarded', reason?: string): Promise<void> {
  await producer.send({
    topic: deadLetterTopic(topic),
    acks: -1,
    messages: [
      {
        key: letter.key ?? null,
        value: null,
        headers: {
          [ACTION_HEADER]: action,
          [ACTION_OF_HEADER]: letter.position,
          [ACTION_AT_HEADER]: new Date().toISOString(),
          'dlq-consumer-group': letter.group,
          ...(reason ? { [ACTION_REASON_HEADER]: reason.slice(0, 2000) } : {}),
        },
      },
    ],
  });
}

/**
 * Sends the unhandled letters back to their topic, each for the group that
 * parked it only (other groups skip it), and records each as re-driven;
 * duplicates (the same message parked again by the same group) are recorded
 * without being sent. Returns how many messages were sent.
 */
export async function redriveDeadLetters(kafka: Kafka, topic: Topic, group?: string): Promise<{ sent: number; duplicates: number }> {
  const { send, duplicates } = planRedrive(await listDeadLetters(kafka, [topic]), group);
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  try {
    for (const letter of send) {
      const headers = Object.fromEntries(
        Object.entries(letter.headers).filter(([name, value]) => !name.startsWith('dlq-') && value !== undefined),
      ) as Record<string, string>;
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: letter.key ?? null,
            value: letter.value,
            headers: { ...headers, [REDRIVE_GROUP_HEADER]: letter.group, 'redriven-from': letter.position },
          },
        ],
      });
      await record(producer, topic, letter, 'redriven');
    }
    for (const { letter, of } of duplicates) await record(producer, topic, letter, 'redriven', `duplicate of ${of.position}`);
  } finally {
    await producer.disconnect();
  }
  return { sent: send.length, duplicates: duplicates.length };
}

/** Settles unhandled letters without re-driving them (`which`: a position, or 'all'); the reason is kept beside them. */
export async function discardDeadLetters(kafka: Kafka, topic: Topic, which: string, reason: string): Promise<number> {
  if (!reason.trim()) throw new Error('discard needs --reason "why these letters need no redrive"');
  const letters = (await listDeadLetters(kafka, [topic])).filter(
    (letter) => letter.status === 'unhandled' && (which === 'all' || letter.position === which),
  );
  if (which !== 'all' && letters.length === 0) throw new Error(`no unhandled dead letter at ${deadLetterTopic(topic)} ${which}`);
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  try {
    for (const letter of letters) await record(producer, topic, letter, 'discarded', reason);
  } finally {
    await producer.disconnect();
  }
  return letters.length;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main() {
  const { args } = useOperatorTarget();
  const { config, logger } = startRuntime('dlq');
  const kafka = createKafka({ ...kafkaConnectionOf(config), clientId: 'book-rental-dlq', logger });
  const [command, topic, which] = args.filter((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));
  if (topic && !ALL_TOPICS.includes(topic as Topic)) throw new Error(`unknown topic ${topic}; known: ${ALL_TOPICS.join(', ')}`);
  if (command === 'list') {
    const all = args.includes('--all');
    const letters = (await listDeadLetters(kafka, topic ? [topic as Topic] : ALL_TOPICS)).filter(
      (letter) => all || letter.status === 'unhandled',
    );
    for (const letter of letters) {
      console.log(
        `${letter.topic}.dlq ${letter.position}\tgroup=${letter.group}\t${letter.status}${letter.note ? ` (${letter.note})` : ''}\tkey=${letter.key}\tfrom ${letter.original}\t${letter.reason}`,
      );
    }
    console.log(`${letters.length} ${all ? '' : 'unhandled '}dead letter(s)`);
  } else if (command === 'redrive' && topic) {
    const { sent, duplicates } = await redriveDeadLetters(kafka, topic as Topic, option(args, '--group'));
    console.log(`re-drove ${sent} message(s) to ${topic}, each for its own group; ${duplicates} duplicate(s) recorded without sending`);
  } else if (command === 'discard' && topic && which) {
    console.log(`discarded ${await discardDeadLetters(kafka, topic as Topic, which, option(args, '--reason') ?? '')} dead letter(s)`);
  } else {
    throw new Error(
      'usage: dead-letters.ts list [topic] [--all] | redrive <topic> [--group g] | discard <topic> <partition:offset|all> --reason "…"  [--profile p]',
    );
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
