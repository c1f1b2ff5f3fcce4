/**
 * The soak: one open-model run of many minutes, with each process's memory
 * sampled every few seconds. Memory is flat when the mean of the last minute
 * is within 10% of the mean of the first minute of the measured window (the
 * warm-up before it lets caches, JIT and pools fill); the peak and the
 * minute-by-minute means are printed too, so a slow climb shows.
 */
import type { Sampler } from './sampler.ts';

export const SOAK_SAMPLE_MS = 5_000;
export const FLAT_WITHIN = 0.1;

export interface MemoryPoint {
  /** Seconds since the measured window opened. */
  atS: number;
  mib: Record<string, number>;
}

export interface SoakMemory {
  sampleMs: number;
  points: MemoryPoint[];
  groups: { name: string; firstMinuteMiB: number; lastMinuteMiB: number; peakMiB: number; change: number; flat: boolean }[];
  flat: boolean;
}

/** Samples memory from `start()` to `stop()`. */
export class MemoryTimeline {
  private readonly points: MemoryPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(private readonly sampler: Sampler) {}

  start(): void {
    this.startedAt = Date.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), SOAK_SAMPLE_MS);
  }

  stop(): SoakMemory {
    clearInterval(this.timer);
    this.sample();
    return summarizeMemory(this.points);
  }

  private sample(): void {
    this.points.push({ atS: (Date.now() - this.startedAt) / 1000, mib: this.sampler.memoryNow() });
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);

/** First-minute and last-minute means per process; flat when they are within FLAT_WITHIN of each other. */
export function summarizeMemory(points: MemoryPoint[]): SoakMemory {
  const endS = points.at(-1)?.atS ?? 0;
  const names = Object.keys(points[0]?.mib ?? {});
  const groups = names
    // Not judged: a process that is not running here, and the bench itself (it keeps every sample it takes).
    .filter((name) => name !== 'bench' && points.some((point) => point.mib[name]! > 0))
    .map((name) => {
      const of = (inWindow: (point: MemoryPoint) => boolean) => mean(points.filter(inWindow).map((point) => point.mib[name]!));
      const firstMinuteMiB = of((point) => point.atS < 60);
      const lastMinuteMiB = of((point) => point.atS >= endS - 60);
      const change = (lastMinuteMiB - firstMinuteMiB) / firstMinuteMiB;
      const peakMiB = Math.max(...points.map((point) => point.mib[name]!));
      return { name, firstMinuteMiB, lastMinuteMiB, peakMiB, change, flat: Math.abs(change) <= FLAT_WITHIN };
    });
  return { sampleMs: SOAK_SAMPLE_MS, points, groups, flat: groups.every((group) => group.flat) };
}

/** The per-process table, then each process's mean memory per minute. */
export function formatSoakMemory(memory: SoakMemory): string {
  // The closing sample, a moment past the last full minute, counts in that minute.
  const minutes = Math.max(1, Math.floor((memory.points.at(-1)?.atS ?? 0) / 60));
  const minuteOf = (point: MemoryPoint) => Math.min(Math.floor(point.atS / 60), minutes - 1);
  const rows = memory.groups.map((group) => {
    const perMinute = Array.from({ length: minutes }, (_, minute) => {
      const inMinute = memory.points.filter((point) => minuteOf(point) === minute).map((point) => point.mib[group.name]!);
      return inMinute.length ? mean(inMinute).toFixed(0) : '-';
    });
    const change = `${group.change >= 0 ? '+' : ''}${(group.change * 100).toFixed(1)}%`;
    return [
      group.name,
      group.firstMinuteMiB.toFixed(0),
      group.lastMinuteMiB.toFixed(0),
      change,
      group.peakMiB.toFixed(0),
      group.flat ? 'yes' : 'NO',
      perMinute.join(' '),
    ];
  });
  const header = ['memory MiB', 'first min', 'last min', 'change', 'peak', 'flat', 'mean of each minute'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    `memory flat within ${FLAT_WITHIN * 100}% (last minute vs first minute of the window): ${memory.flat ? 'PASS' : 'FAIL'}`,
  ].join('\n');
}
