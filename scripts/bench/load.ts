/**
 * The load generator. Closed loop: `concurrency` users, each starting a saga
 * and waiting for its end before the next. Open model: sagas arrive at a fixed
 * rate whatever the system does, and latency counts from the scheduled arrival,
 * so a slow system cannot hide its queueing (no coordinated omission).
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { now, sleep, summarize, type Summary } from './stats.ts';

export type Outcome = 'COMPLETED' | 'COMPENSATED' | 'FAILED' | 'RUNNING' | 'REJECTED';

export interface SagaSample {
  kind: string;
  startedAt: number;
  /** 202 (HTTP) or the start RPC's answer (Temporal client). */
  acceptedAt?: number;
  endedAt?: number;
  outcome: Outcome;
}

export interface Scenario {
  name: string;
  /** Starts one saga at `startedAt` and waits for its end until `deadline`; undefined when no free resource (dropped). */
  runOne(startedAt: number, deadline: number): Promise<SagaSample | undefined>;
}

export type Load = { mode: 'closed'; concurrency: number } | { mode: 'open'; rate: number };

export interface Phases {
  warmupS: number;
  durationS: number;
  /** How long sagas may take to end after the last one started. */
  drainS: number;
}

export interface Window {
  start(): void;
  end(): void;
}

export interface RunStats {
  windowS: number;
  /** Sagas that reached COMPLETED or COMPENSATED inside the measured window, per second. */
  throughput: number;
  /** Of the sagas started in the measured window. */
  counts: Record<Outcome, number>;
  byKind: Record<string, Partial<Record<Outcome, number>>>;
  dropped: number;
  /** Request -> COMPLETED, ms. */
  latency: Summary;
  /** Request -> 202 (or start RPC answered), ms. */
  accept: Summary;
  /** Ended sagas per second of the measured window. */
  perSecond: number[];
  windowStart: number;
  windowEnd: number;
}

/** Waits for a workflow's end through the Temporal client (a long poll on its close event). */
export async function sagaEnd(handle: WorkflowHandle, deadline: number): Promise<Pick<SagaSample, 'outcome' | 'endedAt'>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'RUNNING'>((resolve) => (timer = setTimeout(() => resolve('RUNNING'), deadline - now())));
  try {
    const result = await Promise.race([handle.result() as Promise<{ status?: string } | undefined>, timeout]);
    if (result === 'RUNNING') return { outcome: 'RUNNING' };
    const outcome =
      result?.status === 'COMPENSATED'
        ? 'COMPENSATED'
        : result?.status === undefined || result.status === 'COMPLETED'
          ? 'COMPLETED'
          : 'FAILED';
    return { outcome, endedAt: now() };
  } catch (error) {
    if (error instanceof WorkflowFailedError) return { outcome: 'FAILED', endedAt: now() };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export async function drive(scenario: Scenario, load: Load, phases: Phases, window: Window): Promise<RunStats> {
  const t0 = now();
  const windowStart = t0 + phases.warmupS * 1000;
  const windowEnd = windowStart + phases.durationS * 1000;
  const deadline = windowEnd + phases.drainS * 1000;
  const samples: SagaSample[] = [];
  let dropped = 0;
  const one = async (startedAt: number) => {
    const sample = await scenario.runOne(startedAt, deadline).catch((error: unknown) => {
      console.error(`  ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
      return { kind: 'error', startedAt, outcome: 'REJECTED' } satisfies SagaSample;
    });
    if (sample) samples.push(sample);
    else dropped++;
  };
  setTimeout(() => window.start(), windowStart - now());
  const windowClosed = new Promise<void>((resolve) => setTimeout(() => resolve(window.end()), windowEnd - now()));

  if (load.mode === 'closed') {
    const user = async () => {
      while (now() < windowEnd) await one(now());
    };
    await Promise.all(Array.from({ length: load.concurrency }, user));
  } else {
    const running: Promise<void>[] = [];
    const interval = 1000 / load.rate;
    for (let k = 0; ; k++) {
      const at = t0 + k * interval;
      if (at >= windowEnd) break;
      await sleep(at - now());
      running.push(one(at));
    }
    await Promise.all(running);
  }
  await windowClosed; // a closed loop whose sagas all failed fast may end early
  return statistics(samples, dropped, windowStart, windowEnd);
}

function statistics(samples: SagaSample[], dropped: number, windowStart: number, windowEnd: number): RunStats {
  const windowS = (windowEnd - windowStart) / 1000;
  const ended = (s: SagaSample) => s.outcome === 'COMPLETED' || s.outcome === 'COMPENSATED';
  const endedInWindow = samples.filter((s) => ended(s) && s.endedAt! >= windowStart && s.endedAt! < windowEnd);
  const started = samples.filter((s) => s.startedAt >= windowStart && s.startedAt < windowEnd);
  const counts: Record<Outcome, number> = { COMPLETED: 0, COMPENSATED: 0, FAILED: 0, RUNNING: 0, REJECTED: 0 };
  const byKind: RunStats['byKind'] = {};
  for (const s of started) {
    counts[s.outcome]++;
    const kind = byKind[s.kind] ?? {};
    kind[s.outcome] = (kind[s.outcome] ?? 0) + 1;
    byKind[s.kind] = kind;
  }
  const perSecond = Array.from({ length: Math.ceil(windowS) }, () => 0);
  for (const s of endedInWindow) perSecond[Math.floor((s.endedAt! - windowStart) / 1000)]!++;
  return {
    windowS,
    throughput: endedInWindow.length / windowS,
    counts,
    byKind,
    dropped,
    latency: summarize(started.filter((s) => s.outcome === 'COMPLETED').map((s) => s.endedAt! - s.startedAt)),
    accept: summarize(started.filter((s) => s.acceptedAt !== undefined).map((s) => s.acceptedAt! - s.startedAt)),
    perSecond,
    windowStart,
    windowEnd,
  };
}
