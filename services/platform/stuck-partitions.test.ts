import { describe, expect, it } from 'vitest';
import { StuckPartitions } from './stuck-partitions.ts';

const reading = (committed: number, high: number, partition = 0, groupId = 'best-book') => ({
  groupId,
  topic: 'rental.item-rented.v1',
  partition,
  committed,
  high,
});

describe('partitions a group has stopped reading', () => {
  it('reports a partition whose offset has not moved for the limit while messages wait, once per stretch', () => {
    const tracker = new StuckPartitions(180_000);
    expect(tracker.observe([reading(10, 17)], 0)).toEqual([]);
    expect(tracker.observe([reading(10, 17)], 179_999)).toEqual([]);
    expect(tracker.observe([reading(10, 17)], 180_000)).toEqual([
      { groupId: 'best-book', topic: 'rental.item-rented.v1', partition: 0, stuckForMs: 180_000 },
    ]);
    // The replaced consumer gets a new stretch of its own.
    expect(tracker.observe([reading(10, 17)], 200_000)).toEqual([]);
    expect(tracker.observe([reading(10, 17)], 360_000)).toHaveLength(1);
  });

  it('does not report a partition that moves, or one with nothing waiting', () => {
    const tracker = new StuckPartitions(180_000);
    tracker.observe([reading(10, 17), reading(5, 5, 1)], 0);
    tracker.observe([reading(12, 17), reading(5, 5, 1)], 100_000);
    expect(tracker.observe([reading(12, 20), reading(5, 5, 1)], 250_000)).toEqual([]);
    expect(tracker.observe([reading(20, 20), reading(5, 5, 1)], 500_000)).toEqual([]);
    // Caught up, then behind again: the stretch starts when the wait begins.
    expect(tracker.observe([reading(20, 25), reading(5, 5, 1)], 600_000)).toEqual([]);
    expect(tracker.observe([reading(20, 25), reading(5, 5, 1)], 700_000)).toEqual([]);
  });

  it('reports each group once, however many of its partitions are stuck', () => {
    const tracker = new StuckPartitions(1_000);
    const round = [reading(1, 2, 0), reading(1, 2, 1), reading(1, 2, 0, 'member-history')];
    tracker.observe(round, 0);
    expect(tracker.observe(round, 1_000).map((stuck) => stuck.groupId)).toEqual(['best-book', 'member-history']);
  });

  it('starts afresh for a partition left out of a round (paused here, or read by another process)', () => {
    const tracker = new StuckPartitions(60_000);
    tracker.observe([reading(10, 17)], 0);
    // Paused for two minutes: not in the readings.
    expect(tracker.observe([], 30_000)).toEqual([]);
    expect(tracker.observe([], 120_000)).toEqual([]);
    // Read again, still at the same offset: a new stretch, not one that began before the pause.
    expect(tracker.observe([reading(10, 17)], 135_000)).toEqual([]);
    expect(tracker.observe([reading(10, 17)], 194_999)).toEqual([]);
    expect(tracker.observe([reading(10, 17)], 195_000)).toHaveLength(1);
  });
});
