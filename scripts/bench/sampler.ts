/**
 * CPU seconds and peak memory of each process of the stack, read from /proc
 * while a scenario's measured window runs. Processes are found by what they
 * are: the app processes by command line (and the database they use), the
 * servers by the port they listen on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const SAMPLE_MS = 500;

export interface GroupSpec {
  name: string;
  /** The group's pids now (PostgreSQL's backends come and go). */
  pids(): number[];
  /** Count children that already exited (PostgreSQL reaps its backends into the postmaster's cutime). */
  withReapedChildren?: boolean;
  /**
   * Processes sharing memory (PostgreSQL): their proportional set size less the
   * shared memory segment (the shared buffer cache, a fixed-size cache that
   * fills as the database is read), so each byte counts once and a growing
   * cache does not pass for a leak.
   */
  proportional?: boolean;
}

export interface GroupUsage {
  name: string;
  pids: number[];
  cpuS: number;
  /** Average cores busy over the window. */
  cores: number;
  peakRssMiB: number;
}

export interface Usage {
  groups: GroupUsage[];
  /** Every process on the machine: busy cores out of `cores`. */
  machine: { cores: number; busyCores: number; otherCores: number };
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const allPids = () =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

function statFields(pid: number): string[] | undefined {
  const stat = read(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from `state` on; the name may hold spaces
}

function cpuTicks(pid: number, withReapedChildren: boolean): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
  return utime + stime + (withReapedChildren ? cutime + cstime : 0);
}

function memoryKb(pid: number, proportional: boolean): number {
  const field = (text: string | undefined, name: string) => Number(text?.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
  if (!proportional) return field(read(`/proc/${pid}/status`), 'VmRSS');
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  return field(rollup, 'Pss') - field(rollup, 'Pss_Shmem');
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = read('/proc/stat')!
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** The pids holding a TCP socket that listens on `port`. */
export function listeningPids(port: number): number[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(`socket:[${cols[9]}]`);
    }
  }
  return allPids().filter((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`)));
    } catch {
      return false;
    }
  });
}

export function childPids(parent: number): number[] {
  return allPids().filter((pid) => Number(statFields(pid)?.[1]) === parent);
}

/** Node processes started as `processes/<name>.ts` whose environment names the same database (or cannot be read). */
export function appPids(name: string, databaseHostPort: string): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid || !read(`/proc/${pid}/cmdline`)?.includes(`processes/${name}.ts`)) return false;
    const environ = read(`/proc/${pid}/environ`);
    return environ === undefined || environ.includes(`@${databaseHostPort}/`);
  });
}

export class Sampler {
  private start = new Map<string, number>();
  private peaks = new Map<string, number>();
  private machineStart = machineTicks();
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly groups: GroupSpec[]) {}

  begin(): void {
    this.startedAt = Date.now();
    this.machineStart = machineTicks();
    for (const group of this.groups) {
      this.start.set(group.name, this.groupTicks(group));
      this.peaks.set(group.name, 0);
    }
    this.timer = setInterval(() => this.sampleMemory(), SAMPLE_MS);
    this.sampleMemory();
  }

  end(): Usage {
    clearInterval(this.timer);
    this.sampleMemory();
    const seconds = (Date.now() - this.startedAt) / 1000;
    const groups = this.groups.map((group) => {
      const cpuS = (this.groupTicks(group) - this.start.get(group.name)!) / CLOCK_TICKS;
      return { name: group.name, pids: group.pids(), cpuS, cores: cpuS / seconds, peakRssMiB: this.peaks.get(group.name)! / 1024 };
    });
    const machine = machineTicks();
    const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    const busyCores = ((machine.busy - this.machineStart.busy) / (machine.total - this.machineStart.total)) * cores;
    const ours = groups.reduce((sum, group) => sum + group.cores, 0);
    return { groups, machine: { cores, busyCores, otherCores: Math.max(0, busyCores - ours) } };
  }

  /** Memory of each group right now, MiB (RSS; PSS less shared memory for proportional groups). */
  memoryNow(): Record<string, number> {
    return Object.fromEntries(this.groups.map((group) => [group.name, this.groupMemoryKb(group) / 1024]));
  }

  private groupMemoryKb(group: GroupSpec): number {
    return group.pids().reduce((sum, pid) => sum + memoryKb(pid, group.proportional === true), 0);
  }

  private groupTicks(group: GroupSpec): number {
    return group.pids().reduce((sum, pid, index) => sum + cpuTicks(pid, index === 0 && group.withReapedChildren === true), 0);
  }

  private sampleMemory(): void {
    for (const group of this.groups) this.peaks.set(group.name, Math.max(this.peaks.get(group.name) ?? 0, this.groupMemoryKb(group)));
  }
}

/** The stack `npm start` runs, found from the addresses the bench was given. */
export function stackGroups(addresses: { databaseHostPort: string; temporalPort: number; kafkaPort: number }): GroupSpec[] {
  const { databaseHostPort, temporalPort, kafkaPort } = addresses;
  const databasePort = Number(databaseHostPort.split(':').at(-1));
  const once = <T>(find: () => T) => {
    let value: T | undefined;
    return () => (value ??= find());
  };
  const app = (name: string): GroupSpec => ({ name, pids: once(() => appPids(name, databaseHostPort)) });
  const postmaster = once(() => listeningPids(databasePort).slice(0, 1));
  return [
    app('api'),
    app('worker'),
    app('relay'),
    app('consumers'),
    { name: 'temporal', pids: once(() => listeningPids(temporalPort)) },
    { name: 'kafka', pids: once(() => listeningPids(kafkaPort)) },
    {
      name: 'postgres',
      pids: () => postmaster().flatMap((pid) => [pid, ...childPids(pid)]),
      withReapedChildren: true,
      proportional: true,
    },
    // `npm start` itself: it prefixes and prints every log line of the four processes.
    { name: 'npm start', pids: once(() => allPids().filter((pid) => read(`/proc/${pid}/cmdline`)?.includes('scripts/dev.ts'))) },
    { name: 'bench', pids: () => [process.pid] },
  ];
}
