/**
 * Partitions a group has stopped reading: messages wait (lag > 0) yet the
 * group's committed offset has not moved for `stuckMs`. Seen once after two of
 * three brokers were SIGKILLed and restarted: the group stayed Stable, its
 * members heartbeating, while kafkajs never fetched one partition again. The
 * consumers process replaces its consumer of such a group (a new one is
 * assigned and seeks afresh). Pure bookkeeping, fed by the lag monitor with
 * the partitions this process's consumers are reading (assigned, not paused for
 * an infrastructure failure); a partition left out of a round starts afresh.
 */
export interface PartitionReading {
  groupId: string;
  topic: string;
  partition: number;
  committed: number;
  high: number;
}

export interface StuckPartition {
  groupId: string;
  topic: string;
  partition: number;
  stuckForMs: number;
}

export class StuckPartitions {
  /** Per group, topic and partition: the committed offset last seen and since when it has not moved with messages waiting. */
  private readonly since = new Map<string, { committed: number; at: number }>();

  constructor(private readonly stuckMs: number) {}

  /** Takes one round of readings; answers the groups with a partition stuck for `stuckMs`, each once per stretch. */
  observe(readings: readonly PartitionReading[], now: number): StuckPartition[] {
    const stuck: StuckPartition[] = [];
    const reported = new Set<string>();
    const seen = new Set<string>();
    for (const { groupId, topic, partition, committed, high } of readings) {
      const key = `${groupId}\u0000${topic}\u0000${partition}`;
      seen.add(key);
      const previous = this.since.get(key);
      if (high <= committed) {
        this.since.delete(key);
        continue;
      }
      if (!previous || previous.committed !== committed) {
        this.since.set(key, { committed, at: now });
        continue;
      }
      if (now - previous.at >= this.stuckMs && !reported.has(groupId)) {
        reported.add(groupId);
        stuck.push({ groupId, topic, partition, stuckForMs: now - previous.at });
      }
    }
    for (const key of this.since.keys()) if (!seen.has(key)) this.since.delete(key);
    // A group being replaced gets a fresh stretch: the new consumer has `stuckMs` to move before it is replaced again.
    for (const { groupId } of stuck)
      for (const [key, value] of this.since) if (key.startsWith(`${groupId}\u0000`)) this.since.set(key, { ...value, at: now });
    return stuck;
  }
}
