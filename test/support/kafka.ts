import { Kafka, logLevel } from 'kafkajs';

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
