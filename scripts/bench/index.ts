/**
 * `npm run bench`: sagas per second and latency of the running stack (`npm
 * start`), Temporal alone (bound-1, bound-saga) beside the real sagas through
 * the API (signup, rent-return), in one run on the same servers. Without
 * --concurrency or --rate each scenario runs a closed loop to find its maximum,
 * then an open model at 70% of it. --soak <s> runs one long open-model run
 * instead and watches every process's memory (scripts/bench/soak.ts).
 * --rebuild <events> measures the read-model rebuild instead (scripts/bench/rebuild.ts).
 * --profile test runs against another profile's servers (default: dev).
 */
import { measureHostSpeed } from './host-speed.ts';
import { parseArgs } from 'node:util';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { clientDataConverter } from '../../services/platform/temporal.ts';
import { boundScenario, startBoundWorker, type BoundWorker } from './bound.ts';
import { checkConsistency } from './consistency.ts';
import { eventLag, waitForEventsSettled } from './events.ts';
import { Api, refreshTokens, rentReturnScenario, setUpLibrary, signupScenario, type Library } from './http.ts';
import { drive, type Load, type Phases, type Scenario } from './load.ts';
import { COMPLETION_METHOD, cpuMsPerSaga, formatReport, writeReport, type BenchReport, type RunReport } from './report.ts';
import { formatPreferWait, measurePreferWait } from './prefer-wait.ts';
import { Sampler, stackGroups } from './sampler.ts';
import { microBenchSessionCheck, scrapeSessionChecks, sessionCheckCost, type HistogramReading } from './session-check.ts';
import { MemoryTimeline, SOAK_SAMPLE_MS, formatSoakMemory, type SoakMemory } from './soak.ts';
import { sleep } from './stats.ts';
import { benchRebuild } from './rebuild.ts';
import { operatorTarget } from '../operator-target.ts';

const SCENARIOS = ['bound-1', 'bound-saga', 'signup', 'rent-return', 'prefer-wait'] as const;
type ScenarioName = (typeof SCENARIOS)[number];
/** prefer-wait is a latency comparison, not a load: run it by name (`--scenarios prefer-wait`). */
const DEFAULT_SCENARIOS: ScenarioName[] = ['bound-1', 'bound-saga', 'signup', 'rent-return'];
const PREFER_WAIT_ROUNDS = 40;
const DEFAULT_CONCURRENCY = 32;
const DEFAULT_DURATION_S = 20;
const DEFAULT_WARMUP_S = 5;
/** The soak's defaults: a minute of warm-up, then a steady rate near 70% of rent-return's maximum here. */
const SOAK_WARMUP_S = 60;
const SOAK_RATE = 6;
const OPEN_SHARE = 0.7;
const DRAIN_S = 10;
const OUTBOX_GRACE_MS = 10_000;
const IDLE_SAMPLE_MS = 5_000;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    scenarios: { type: 'string' },
    soak: { type: 'string' },
    rebuild: { type: 'string' },
    profile: { type: 'string' },
  },
});
const profileArgs = args.profile === undefined ? [] : ['--profile', args.profile];
const soakS = args.soak === undefined ? undefined : Number(args.soak);
const phases: Phases =
  soakS === undefined
    ? { warmupS: Number(args.warmup ?? DEFAULT_WARMUP_S), durationS: Number(args.duration ?? DEFAULT_DURATION_S), drainS: DRAIN_S }
    : { warmupS: Number(args.warmup ?? SOAK_WARMUP_S), durationS: soakS, drainS: DRAIN_S };
const scenarios = (args.scenarios ?? (soakS === undefined ? DEFAULT_SCENARIOS.join(',') : 'rent-return'))
  .split(',')
  .map((name) => name.trim()) as ScenarioName[];
const unknown = scenarios.filter((name) => !SCENARIOS.includes(name));
const soakRate = Number(args.rate ?? SOAK_RATE);
const badSoak = soakS !== undefined && (scenarios.length !== 1 || args.concurrency !== undefined || !(soakRate > 0) || !(soakS >= 120));
if (unknown.length > 0 || !(phases.durationS > 0) || !(phases.warmupS >= 0) || badSoak) {
  console.error(
    `usage: npm run bench -- [--duration s] [--warmup s] [--concurrency n] [--rate sagas/s] [--scenarios ${SCENARIOS.join(',')}]\n` +
      '       npm run bench -- --soak <s, at least 120> [--rate sagas/s] [--scenarios <one scenario>] [--warmup s]\n' +
      '       npm run bench -- --rebuild <events, e.g. 100000>\n' +
      '       (each takes --profile <dev|test|testN>, default dev)',
  );
  process.exit(2);
}

// The running dev profile (npm start), or --profile test; variables set by hand win (scripts/operator-target.ts).
const { env: target } = operatorTarget(profileArgs);
const env = {
  ...target,
  TEMPORAL_NAMESPACE: target.TEMPORAL_NAMESPACE,
  /** Where signups' confirmation links are read (Mailpit's API). */
  MAILPIT_URL: process.env.MAILPIT_URL ?? target.MAILPIT_URL ?? 'http://127.0.0.1:8025',
};

if (args.rebuild !== undefined) {
  // --rebuild <events>: the read-model rebuild's rate instead of the saga scenarios (scripts/bench/rebuild.ts).
  process.exit(await benchRebuild(env, Number(args.rebuild)));
}

const health = await fetch(`${env.API_URL}/health`).catch(() => undefined);
if (!health?.ok) {
  console.error(`the API at ${env.API_URL} is not healthy; start the system first (npm start)`);
  process.exit(1);
}

const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
// Temporal alone: plain payloads. The real sagas' payloads are encrypted, so their client decrypts like the API's.
const plainClient = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
const codecKeys = parseCodecKeys(process.env.TEMPORAL_CODEC_KEYS ?? DEVELOPMENT_CODEC_KEYS);
const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: clientDataConverter(codecKeys) });
const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
const admin = new Kafka({ clientId: 'bench', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
await admin.connect();
const api = new Api(env.API_URL, env.MAILPIT_URL);
const database = new URL(env.DATABASE_URL);
const sampler = new Sampler(
  stackGroups({
    databaseHostPort: `${database.hostname}:${database.port || 5432}`,
    temporalPort: Number(env.TEMPORAL_ADDRESS.split(':').at(-1)),
    kafkaPort: Number(env.KAFKA_BROKERS.split(',')[0]!.split(':').at(-1)),
  }),
);

let boundWorker: BoundWorker | undefined;
let library: Library | undefined;
const concurrency = Number(args.concurrency ?? DEFAULT_CONCURRENCY);

/** Waits until rental's copy of the catalog knows every one of these books. */
async function rentalKnows(bookNos: number[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (
    (await db.query('SELECT count(*)::int AS n FROM rental.book_title WHERE book_no = ANY($1)', [bookNos])).rows[0].n < bookNos.length
  ) {
    if (Date.now() > deadline) throw new Error("rental's catalog copy did not learn the bench's books within 60 s");
    await sleep(200);
  }
}

async function scenarioFor(name: Exclude<ScenarioName, 'prefer-wait'>): Promise<Scenario> {
  if (name === 'bound-1' || name === 'bound-saga') {
    boundWorker ??= await startBoundWorker(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
    return boundScenario(plainClient, name);
  }
  await boundWorker?.stop();
  boundWorker = undefined;
  // Enough (member, book) slots that an open-model run rarely finds none free.
  library ??= await setUpLibrary(api, client, Math.max(64, 2 * concurrency), rentalKnows);
  await refreshTokens(api, library);
  return name === 'signup' ? signupScenario(api, client, library) : rentReturnScenario(api, client, library);
}

async function run(scenario: Scenario, load: Load, timeline?: MemoryTimeline): Promise<RunReport> {
  let usage: RunReport['usage'] | undefined;
  let memory: SoakMemory | undefined;
  const http = scenario.name === 'signup' || scenario.name === 'rent-return';
  let checksBefore: Promise<HistogramReading> | undefined;
  let checksAfter: Promise<HistogramReading> | undefined;
  const stats = await drive(scenario, load, phases, {
    start: () => {
      sampler.begin();
      timeline?.start();
      if (http) checksBefore = scrapeSessionChecks(env.API_URL);
    },
    end: () => {
      usage = sampler.end();
      memory = timeline?.stop();
      if (http) checksAfter = scrapeSessionChecks(env.API_URL);
    },
  });
  const sessionCheck = checksBefore && checksAfter ? sessionCheckCost(await checksBefore, await checksAfter) : undefined;
  const report: RunReport = {
    scenario: scenario.name,
    load,
    stats,
    usage: usage!,
    ...(memory ? { memory } : {}),
    ...(sessionCheck ? { sessionCheck } : {}),
  };
  if (scenario.name === 'signup' || scenario.name === 'rent-return') {
    report.eventsSettled = await waitForEventsSettled(db, admin, 30_000);
    report.eventLag = await eventLag(db, stats.windowStart, stats.windowEnd);
  }
  const { throughput, latency, counts, byKind } = stats;
  const kinds = Object.entries(byKind).map(([kind, outcomes]) => `${kind} ${Object.values(outcomes).reduce((a, b) => a + b, 0)}`);
  if (sessionCheck)
    console.log(
      `  session check: ${sessionCheck.checks} lookups, mean ${sessionCheck.meanMs.toFixed(3)} ms, p99 <= ${sessionCheck.p99Ms} ms`,
    );
  console.log(
    `  ${scenario.name} ${load.mode === 'closed' ? `closed c=${load.concurrency}` : `open ${load.rate.toFixed(1)}/s`}: ` +
      `${throughput.toFixed(1)} sagas/s, p50 ${latency.p50.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms, ` +
      `${counts.COMPLETED} completed, ${counts.COMPENSATED} compensated, ${counts.FAILED + counts.RUNNING + counts.REJECTED} failed/running/rejected (${kinds.join(', ')})`,
  );
  return report;
}

const started = Date.now();
const runs: RunReport[] = [];
console.log(`bench: ${scenarios.join(', ')}; warm-up ${phases.warmupS} s, measured ${phases.durationS} s per run`);
// The machine's speed now, on the idle stack: runs compare only at similar values (scripts/bench/host-speed.ts).
const hostSpeed = measureHostSpeed();
console.log(
  `host speed: a fixed piece of CPU work took ${hostSpeed.cpuMs.toFixed(0)} ms of CPU, ${hostSpeed.wallMs.toFixed(0)} ms of wall time`,
);
// What revocation costs each authenticated request: the session lookup alone, before any load.
const sessionCheckMicro = await microBenchSessionCheck(env.DATABASE_URL);
console.log(
  `session lookup alone: p50 ${sessionCheckMicro.sequential.p50.toFixed(3)} ms, p99 ${sessionCheckMicro.sequential.p99.toFixed(3)} ms one at a time; ` +
    `p50 ${sessionCheckMicro.concurrent.p50.toFixed(3)} ms, p99 ${sessionCheckMicro.concurrent.p99.toFixed(3)} ms ${sessionCheckMicro.parallel} at a time; ` +
    `client CPU ${sessionCheckMicro.cpuMsPerLookup.toFixed(3)} ms per lookup, PostgreSQL execution ${sessionCheckMicro.databaseMs.toFixed(3)} ms`,
);
sampler.begin();
await sleep(IDLE_SAMPLE_MS);
const idle = sampler.end();
try {
  for (const name of scenarios) {
    if (name === 'prefer-wait') {
      await boundWorker?.stop();
      boundWorker = undefined;
      library ??= await setUpLibrary(api, client, Math.max(64, 2 * concurrency), rentalKnows);
      await refreshTokens(api, library);
      console.log(formatPreferWait(await measurePreferWait(api, library, PREFER_WAIT_ROUNDS)));
      continue;
    }
    const scenario = await scenarioFor(name);
    if (soakS !== undefined) {
      console.log(
        `soak: ${name} at ${soakRate} sagas/s for ${soakS} s after ${phases.warmupS} s of warm-up; memory sampled every ${SOAK_SAMPLE_MS / 1000} s`,
      );
      runs.push(await run(scenario, { mode: 'open', rate: soakRate }, new MemoryTimeline(sampler)));
      continue;
    }
    let max: number | undefined;
    if (args.concurrency !== undefined || args.rate === undefined) {
      const closed = await run(scenario, { mode: 'closed', concurrency });
      runs.push(closed);
      max = closed.stats.throughput;
    }
    const rate = args.rate !== undefined ? Number(args.rate) : args.concurrency === undefined ? OPEN_SHARE * max! : undefined;
    if (rate !== undefined && rate > 0) runs.push(await run(scenario, { mode: 'open', rate }));
  }
} finally {
  await boundWorker?.stop();
}

await waitForEventsSettled(db, admin, 30_000);
const verdict = await checkConsistency(db, env, OUTBOX_GRACE_MS);
const closedRun = (name: string) => runs.find((r) => r.scenario === name && r.load.mode === 'closed');
const boundSagaMax = closedRun('bound-saga')?.stats.throughput;
const realMax = closedRun('rent-return')?.stats.throughput;
const open = runs.find((r) => r.scenario === 'rent-return' && r.load.mode === 'open');
const report: BenchReport = {
  date: new Date().toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
  host: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, speed: hostSpeed },
  completion: COMPLETION_METHOD,
  idle,
  runs,
  sessionCheckMicro,
  headline: {
    boundSagaMax,
    realMax,
    ratio: boundSagaMax && realMax !== undefined ? realMax / boundSagaMax : undefined,
    cpuMsPerSaga:
      closedRun('bound-saga') && closedRun('rent-return')
        ? { boundSaga: cpuMsPerSaga(closedRun('bound-saga')!, idle), real: cpuMsPerSaga(closedRun('rent-return')!, idle) }
        : undefined,
    at70:
      open && open.load.mode === 'open'
        ? {
            label: soakS !== undefined ? 'the soak rate' : args.rate === undefined ? '70% of the real maximum' : '--rate',
            rate: open.load.rate,
            latency: open.stats.latency,
            accept: open.stats.accept,
          }
        : undefined,
  },
  verdict,
};
console.log(`\n${formatReport(report)}`);
const memory = runs.find((r) => r.memory)?.memory;
if (memory) console.log(`\n${formatSoakMemory(memory)}`);
console.log(
  `\nwritten to ${writeReport(report, resolve(import.meta.dirname, '../../bench-results'))} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);

await admin.disconnect();
await db.end();
await connection.close();
process.exit(verdict.ok && (memory?.flat ?? true) ? 0 : 1);
