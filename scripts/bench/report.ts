/** What a bench run prints and what it writes to `bench-results/`. */
import type { HostSpeed } from './host-speed.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from './consistency.ts';
import type { EventLag } from './events.ts';
import type { Load, RunStats } from './load.ts';
import type { Usage } from './sampler.ts';
import type { SessionCheckCost } from './session-check.ts';
import type { SoakMemory } from './soak.ts';
import type { Summary } from './stats.ts';

export const COMPLETION_METHOD =
  'saga end: Temporal client handle.result() on the workflow id (a long poll on the close event); ' +
  'accept: request -> 202 for HTTP, the start RPC for bound-*; open model: latency from the scheduled arrival';

export interface RunReport {
  scenario: string;
  load: Load;
  stats: RunStats;
  usage: Usage;
  eventLag?: EventLag;
  /** False when the outbox or a consumer group had not caught up when the lag was read. */
  eventsSettled?: boolean;
  /** The soak's memory timeline (--soak). */
  memory?: SoakMemory;
  /** The api's session lookups during the run (HTTP scenarios): what each authenticated request pays for revocation. */
  sessionCheck?: SessionCheckCost;
}

export interface BenchReport {
  date: string;
  command: string;
  /** `speed`: a fixed piece of CPU work timed before the runs (scripts/bench/host-speed.ts). */
  host: { cores: number; memoryGiB: number; node: string; speed?: HostSpeed };
  completion: string;
  /** The stack with no load, sampled before the first run. */
  idle: Usage;
  runs: RunReport[];
  /** The session lookup alone, before the runs (scripts/bench/session-check.ts), in ms. */
  sessionCheckMicro?: { sequential: Summary; concurrent: Summary; parallel: number; cpuMsPerLookup: number; databaseMs: number };
  headline: {
    boundSagaMax?: number;
    realMax?: number;
    ratio?: number;
    /** CPU of every sampled process per saga in the closed-loop runs: what the sagas cost whatever else the machine runs. */
    cpuMsPerSaga?: { boundSaga: number; real: number };
    at70?: { label: string; rate: number; latency: Summary; accept: Summary };
  };
  verdict: Verdict;
}

/**
 * CPU milliseconds per ended saga, summed over the named process groups (all
 * when none are named), less what each group burns idle (pollers, heartbeats),
 * so runs at different rates compare.
 */
export function cpuMsPerSaga({ usage, stats }: RunReport, idle: Usage, names?: string[]): number {
  const groups = names ? usage.groups.filter((group) => names.includes(group.name)) : usage.groups;
  // The bench's own idle sample is its start-up, not a fixed cost: nothing is taken off it.
  const idleCores = (name: string) => (name === 'bench' ? 0 : (idle.groups.find((group) => group.name === name)?.cores ?? 0));
  const net = groups.reduce((sum, group) => sum + Math.max(0, group.cpuS - idleCores(group.name) * stats.windowS), 0);
  return (net / (stats.throughput * stats.windowS)) * 1000;
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0));
const loadLabel = (load: Load) => (load.mode === 'closed' ? `closed c=${load.concurrency}` : `open ${load.rate.toFixed(1)}/s`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(report: BenchReport): string {
  const runs = report.runs;
  const sagas = table(
    ['scenario', 'load', 'sagas/s', 'done', 'comp', 'fail', 'run', 'rej', 'drop', 'p50', 'p95', 'p99', 'max', 'acc50', 'acc99'],
    runs.map(({ scenario, load, stats: s }) => [
      scenario,
      loadLabel(load),
      s.throughput.toFixed(1),
      ...[s.counts.COMPLETED, s.counts.COMPENSATED, s.counts.FAILED, s.counts.RUNNING, s.counts.REJECTED, s.dropped].map(String),
      ms(s.latency.p50),
      ms(s.latency.p95),
      ms(s.latency.p99),
      ms(s.latency.max),
      ms(s.accept.p50),
      ms(s.accept.p99),
    ]),
  );
  const lagRuns = runs.filter((run) => run.eventLag && run.eventLag.events > 0);
  const lag = table(
    ['scenario', 'load', 'events', 'relay p50', 'relay p99', 'lag p50', 'lag p99', 'lag max', 'settled'],
    lagRuns.map(({ scenario, load, eventLag: e, eventsSettled }) => [
      scenario,
      loadLabel(load),
      String(e!.events),
      ms(e!.relay.p50),
      ms(e!.relay.p99),
      ms(e!.readModel.p50),
      ms(e!.readModel.p99),
      ms(e!.readModel.max),
      String(eventsSettled),
    ]),
  );
  const names = runs[0]?.usage.groups.map((group) => group.name) ?? [];
  const cpu = table(
    ['CPU s (avg cores) / peak MiB', ...runs.map((run) => `${run.scenario} ${run.load.mode}`)],
    [
      ...names.map((name) => [
        name,
        ...runs.map((run) => {
          const group = run.usage.groups.find((g) => g.name === name)!;
          return group.pids.length === 0 ? 'n/a' : `${group.cpuS.toFixed(1)} (${group.cores.toFixed(2)}) / ${group.peakRssMiB.toFixed(0)}`;
        }),
      ]),
      ['other processes (cores)', ...runs.map((run) => run.usage.machine.otherCores.toFixed(2))],
      [`machine (cores of ${runs[0]?.usage.machine.cores ?? '?'})`, ...runs.map((run) => run.usage.machine.busyCores.toFixed(2))],
    ],
  );
  const perSaga = table(
    ['CPU ms per saga, net of idle', 'idle cores', ...runs.map((run) => `${run.scenario} ${run.load.mode}`)],
    [...names, 'all of the above'].map((name) => [
      name,
      (name === 'all of the above' ? report.idle.groups : report.idle.groups.filter((g) => g.name === name))
        .reduce((sum, g) => sum + g.cores, 0)
        .toFixed(3),
      ...runs.map((run) =>
        run.stats.throughput > 0 ? cpuMsPerSaga(run, report.idle, name === 'all of the above' ? undefined : [name]).toFixed(1) : '-',
      ),
    ]),
  );
  const checkedRuns = runs.filter((run) => run.sessionCheck);
  const checks = table(
    ['scenario', 'load', 'lookups', 'mean ms', 'p50 ms <=', 'p99 ms <=', 'acc99'],
    checkedRuns.map(({ scenario, load, sessionCheck: c, stats }) => [
      scenario,
      loadLabel(load),
      String(c!.checks),
      c!.meanMs.toFixed(3),
      String(c!.p50Ms),
      String(c!.p99Ms),
      ms(stats.accept.p99),
    ]),
  );
  const { headline: h, verdict } = report;
  const lines = [
    `sagas (latency ms; counts are sagas started in the ${runs[0]?.stats.windowS ?? '?'} s window; sagas/s = ended in the window)`,
    sagas,
    '',
    'event lag outbox -> read model (ms)',
    lag || '(no events)',
    '',
    cpu,
    '',
    perSaga,
    '',
    'session check per authenticated request (auth.session primary-key lookup, bookrental_session_check_duration_seconds; p50/p99 are bucket bounds)',
    checks || '(no authenticated requests)',
    ...(report.sessionCheckMicro
      ? [
          `session lookup alone (${report.sessionCheckMicro.sequential.count} one at a time / ${report.sessionCheckMicro.concurrent.count} ${report.sessionCheckMicro.parallel} at a time, from the bench process): ` +
            `p50 ${report.sessionCheckMicro.sequential.p50.toFixed(3)} / ${report.sessionCheckMicro.concurrent.p50.toFixed(3)} ms, ` +
            `p99 ${report.sessionCheckMicro.sequential.p99.toFixed(3)} / ${report.sessionCheckMicro.concurrent.p99.toFixed(3)} ms; ` +
            `client CPU ${report.sessionCheckMicro.cpuMsPerLookup.toFixed(3)} ms per lookup, PostgreSQL execution ${report.sessionCheckMicro.databaseMs.toFixed(3)} ms`,
        ]
      : []),
    '',
    COMPLETION_METHOD,
  ];
  if (h.ratio !== undefined)
    lines.push(
      `headline: rent-return ${h.realMax!.toFixed(1)} sagas/s / bound-saga ${h.boundSagaMax!.toFixed(1)} sagas/s = ${(h.ratio * 100).toFixed(0)}%`,
    );
  if (h.cpuMsPerSaga) {
    const { boundSaga, real } = h.cpuMsPerSaga;
    const cores = runs[0]!.usage.machine.cores;
    lines.push(
      `headline: CPU per saga (net of idle) bound-saga ${boundSaga.toFixed(0)} ms, rent-return ${real.toFixed(0)} ms = ${((boundSaga / real) * 100).toFixed(0)}%; ` +
        `with the ${cores} cores to themselves about ${((cores * 1000) / boundSaga).toFixed(1)} and ${((cores * 1000) / real).toFixed(1)} sagas/s`,
    );
  }
  if (h.at70)
    lines.push(
      `headline: open model at ${h.at70.label} (${h.at70.rate.toFixed(1)} sagas/s) request -> COMPLETED p50 ${ms(h.at70.latency.p50)} ms, p95 ${ms(h.at70.latency.p95)} ms, p99 ${ms(h.at70.latency.p99)} ms; 202 p50 ${ms(h.at70.accept.p50)} ms, p99 ${ms(h.at70.accept.p99)} ms`,
    );
  if (report.host.speed)
    lines.push(
      `headline: host speed ${report.host.speed.cpuMs.toFixed(0)} ms of CPU for the fixed work (${report.host.speed.wallMs.toFixed(0)} ms wall); compare runs only at similar values`,
    );
  lines.push(`consistency (${verdict.source}): ${verdict.ok ? 'PASS' : 'FAIL'}`);
  for (const check of verdict.checks)
    lines.push(`  ${check.violations === 0 ? 'ok  ' : 'FAIL'} ${check.name}${check.violations ? ` (${check.violations})` : ''}`);
  if (verdict.output) lines.push(verdict.output.replace(/^/gm, '  '));
  return lines.join('\n');
}

export function writeReport(report: BenchReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
