import { READ_MODEL_GROUPS, readModels } from '../../../services/read-models.ts';
import type { Rule, Violation } from '../types.ts';

export interface PartitionOffsets {
  topic: string;
  partition: number;
  low: number;
  high: number;
  /** The group's committed offset; -1 = none yet (it starts from the beginning). */
  committed: number;
}

/** Messages a group has yet to handle on one partition. */
export const lagOf = (p: PartitionOffsets): number => Math.max(0, p.high - (p.committed >= 0 ? p.committed : p.low));

/** Every live consumer group has handled everything on its topics at check time. */
export const consumerLagZero: Rule = {
  name: 'consumer lag is zero',
  needs: ['kafka'],
  async check({ kafka }) {
    const admin = kafka!.admin();
    await admin.connect();
    try {
      // The subscriptions only: readModels does not touch the database it is given.
      const groups = readModels(undefined as never).map((model) => ({
        groupId: model.groupId,
        topics: [...new Set(model.subscriptions.map((s) => s.topic))],
      }));
      const violations: Violation[] = [];
      for (const { groupId, topics } of groups) {
        if (!(Object.values(READ_MODEL_GROUPS) as string[]).includes(groupId)) continue;
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
          const marks = await admin.fetchTopicOffsets(topic);
          for (const { partition, offset } of partitions) {
            const mark = marks.find((m) => m.partition === partition);
            if (!mark) continue;
            const lag = lagOf({ topic, partition, low: Number(mark.low), high: Number(mark.high), committed: Number(offset) });
            if (lag > 0)
              violations.push({
                rule: this.name,
                subject: `${groupId} ${topic}[${partition}]`,
                detail: `${lag} message(s) not yet handled`,
              });
          }
        }
      }
      return violations;
    } finally {
      await admin.disconnect();
    }
  },
};
