import { describe, expect, it } from 'vitest';
import { summarizeMemory, type MemoryPoint } from './soak.ts';

const points = (series: Record<string, (atS: number) => number>): MemoryPoint[] =>
  Array.from({ length: 121 }, (_, i) => i * 5).map((atS) => ({
    atS,
    mib: Object.fromEntries(Object.entries(series).map(([name, f]) => [name, f(atS)])),
  }));

describe('soak memory verdict', () => {
  it('is flat when the last minute stays within 10% of the first', () => {
    const memory = summarizeMemory(points({ api: (t) => 200 + (t % 20 === 0 ? 8 : 0), worker: (t) => 500 + t * 0.05 }));
    expect(memory.groups.map((g) => [g.name, g.flat])).toEqual([
      ['api', true],
      ['worker', true],
    ]);
    expect(memory.flat).toBe(true);
  });

  it('fails a process that climbs more than 10%, and names it', () => {
    const memory = summarizeMemory(points({ api: () => 200, worker: (t) => 500 + t * 0.2 }));
    const worker = memory.groups.find((g) => g.name === 'worker')!;
    expect(worker.flat).toBe(false);
    // First minute: 0..55 s, mean 505.5 MiB; last minute: 540..600 s, mean 614 MiB.
    expect(worker.change).toBeCloseTo((614 - 505.5) / 505.5, 6);
    expect(memory.flat).toBe(false);
  });

  it('leaves out processes that are not running', () => {
    expect(summarizeMemory(points({ api: () => 200, 'npm start': () => 0 })).groups.map((g) => g.name)).toEqual(['api']);
  });
});
