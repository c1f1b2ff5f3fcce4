import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

/** A connected producer for suites that put messages on the stack's topics themselves (keyed as the services key them). */
export async function connectTestProducer(brokers: string): Promise<Producer> {
  const producer = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/** Waits until every consumer group has members and a stable assignment, so tests do not race the first rebalance. */
export async function waitForConsumerGroups(brokers: string, groupIds: string[], timeoutMs: number): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups(groupIds);
      if (groups.every((group) => group.state === 'Stable' && group.members.length > 0)) return;
      if (Date.now() > deadline) throw new Error(`consumer groups not stable: ${groups.map((g) => `${g.groupId}=${g.state}`).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

export interface RawMessage {
  partition: number;
  offset: string;
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string | undefined>;
}

/** Every message of a topic from its start to the end offsets taken now (a throwaway consumer group). */
export async function readTopic(brokers: string, topic: string): Promise<RawMessage[]> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  const groupId = `test-read-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const messages: RawMessage[] = [];
  const pending = [...ends].filter(([, high]) => high > 0).map(([partition]) => partition);
  if (pending.length > 0) {
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (Number(message.offset) < (ends.get(partition) ?? 0)) {
              messages.push({
                partition,
                offset: message.offset,
                key: message.key?.toString(),
                value: message.value?.toString(),
                headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()])),
              });
            }
            if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) done.add(partition);
            if (pending.every((p) => done.has(p))) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  await admin.disconnect();
  return messages;
}
