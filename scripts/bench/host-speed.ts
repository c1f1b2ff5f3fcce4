/**
 * A fixed piece of CPU work, timed before the runs on the idle stack: the
 * machine's speed at the moment of the bench. Every figure of a run moves with
 * it (on this shared 2-core machine the same code's CPU per saga differed by
 * 60% between hours), so two runs compare only when their probes are close.
 */
import { createHash } from 'node:crypto';

export interface HostSpeed {
  /** CPU of the bench process for the work, the best of `rounds`. */
  cpuMs: number;
  /** Wall time of that round: above cpuMs when the machine gave the process less than a core. */
  wallMs: number;
}

/** JSON round trips of a saga-sized document and SHA-256 over 64 KiB: the kind of work the processes do per saga. */
function fixedWork(): number {
  const document = {
    rentalId: '0b9c6f9e-2f7a-4c55-9a59-1d2f8b6c2a10',
    memberId: 'f0f2b8a4-3c1d-4a8e-8f7b-6f5b2c9d1e33',
    steps: Array.from({ length: 12 }, (_, i) => ({ name: `step-${i}`, status: 'COMPLETED', at: 1_700_000_000_000 + i })),
  };
  const block = Buffer.alloc(64 * 1024, 7);
  let checksum = 0;
  for (let i = 0; i < 4_000; i++) checksum += (JSON.parse(JSON.stringify({ ...document, i })) as { i: number }).i;
  for (let i = 0; i < 400; i++) checksum += createHash('sha256').update(block).digest()[0]!;
  return checksum;
}

export function measureHostSpeed(rounds = 5): HostSpeed {
  let best: HostSpeed | undefined;
  for (let round = 0; round < rounds; round++) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    fixedWork();
    const used = process.cpuUsage(cpu);
    const sample = { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall };
    if (!best || sample.cpuMs < best.cpuMs) best = sample;
  }
  return best!;
}
