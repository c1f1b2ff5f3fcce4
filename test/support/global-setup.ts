/**
 * Brings up the real stack for the suite: PostgreSQL, Temporal, Kafka and Mailpit
 * (profile "test", installed when missing), migrations, then the api, worker,
 * relay and consumers processes exactly as `npm start` runs them. Fault
 * suites reach the processes and servers through a small control endpoint
 * (test/support/control.ts) to kill, restart and stop them.
 */
import type { TestProject } from 'vitest/node';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import {
  codecEndpointOf,
  crashServer,
  defaultApiPort,
  isProfile,
  restartServer,
  startInfrastructure,
  startServer,
  stopServer,
  TEMPORAL_BINARY,
  type InfraEnv,
  type Profile,
  type ServerName,
} from '../../scripts/infra/infra.ts';
import { serversOf } from '../../scripts/infra/profiles.ts';
import { portOpen } from '../../scripts/infra/process-helpers.ts';
import { startToxiproxy, toxiproxyPortsOf, type RunningToxiproxy } from '../../scripts/infra/toxiproxy.ts';
import { applyMigrations } from '../../scripts/db/schema-engine.ts';
import { ensureServiceRoles } from '../../scripts/db/roles.ts';
import {
  processInstances,
  startProcess,
  stopChild,
  waitForHealthy,
  type ProcessInstance,
  type ProcessName,
} from '../../scripts/processes.ts';
import { CONSUMER_GROUPS } from '../../processes/consumers.ts';
import { waitForConsumerGroups } from './kafka.ts';
import { FAULTS_FILE } from './faults.ts';
import type { TestStack } from './stack.ts';

/**
 * TEST_PROFILE=test2 (say) runs the suite on a second, separate set of servers;
 * TEST_PROFILE=cluster on the cluster profile (three brokers, the Temporal server, every process doubled).
 */
export const TEST_PROFILE = process.env.TEST_PROFILE ?? 'test';
const CLUSTER = TEST_PROFILE === 'cluster';
const API_PORT = Number(process.env.TEST_API_PORT ?? (isProfile(TEST_PROFILE) ? defaultApiPort(TEST_PROFILE) : 0));
/** How long the test stack's signups wait for confirmation (test/e2e/signup-verification.e2e.test.ts waits it out). */
export const SIGNUP_VERIFICATION_SECONDS = 45;
/** TEST_PROCESSES=0 starts only the servers (for suites that need no app process). */
const WITH_PROCESSES = process.env.TEST_PROCESSES !== '0';
/** Each process copy with its port and metrics port (beside its API port, never the defaults, which `npm start` uses). */
const INSTANCES: ProcessInstance[] = processInstances({ apiPort: API_PORT, doubled: CLUSTER, metricsBesideApi: true });
const METRICS_PORTS = Object.fromEntries(INSTANCES.map((i) => [i.instance, Number(i.env.METRICS_PORT ?? i.env.PORT)]));
const API_URLS = INSTANCES.filter((i) => i.name === 'api').map((i) => `http://127.0.0.1:${i.env.PORT}`);
/** Where a second api listens when a suite starts one. */
const SECOND_API_PORT = API_PORT + 9;

/** Processes the test stack runs through its own entries: the same process plus fault injection (test/support/processes/). */
const TEST_ENTRIES: Partial<Record<ProcessName, string>> = {
  worker: 'test/support/processes/worker.ts',
  relay: 'test/support/processes/relay.ts',
};

interface Running {
  stack: TestStack;
  stop(): Promise<void>;
  users: number;
}

// Each vitest project calls this setup; they share one stack.
const shared = globalThis as { bookRentalStack?: Promise<Running> };

async function startStack(): Promise<Running> {
  const log = (line: string) => console.log(`[stack] ${line}`);
  if (!isProfile(TEST_PROFILE) || TEST_PROFILE === 'dev')
    throw new Error(`TEST_PROFILE must be test, test1..test9 or cluster, not ${TEST_PROFILE}`);
  const infra = await startInfrastructure({ profile: TEST_PROFILE, log, codecEndpoint: codecEndpointOf(API_PORT) });
  await applyMigrations(infra.env.DATABASE_URL);
  // Each service's role, reaching only its own schema (after the migrations: the grants cover the tables they made).
  await ensureServiceRoles(infra.env.DATABASE_URL, { ...infra.env });
  // The app processes of a test profile reach PostgreSQL, Kafka and Temporal through Toxiproxy (network-fault suites);
  // the suites, directly. The cluster profile runs without it (toxiproxyPortsOf gives it no ports).
  let proxy: RunningToxiproxy | undefined;
  try {
    proxy = WITH_PROCESSES && toxiproxyPortsOf(TEST_PROFILE) ? await startProxies(TEST_PROFILE, infra.env, log) : undefined;
  } catch (error) {
    await infra.stop();
    throw error;
  }
  const env: Record<string, string> = {
    ...infra.env,
    ...proxy?.env,
    PORT: String(API_PORT),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Short loans so overdue suites finish in seconds: 8 s loan, 2 s fee day. The cluster pass runs no overdue
    // suite, and its sagas are slower (eight app processes and five servers on two cores): there loans last an
    // hour, so a slow run never suspends its own members' cards halfway through a suite.
    LOAN_PERIOD_SECONDS: CLUSTER ? '3600' : '8',
    FEE_DAY_SECONDS: '2',
    // The due-soon reminder 4 s into the 8 s loan; a signup waits 45 s for its address to be confirmed
    // (the helpers confirm through Mailpit within a second or two; the expiry suite waits it out).
    REMINDER_BEFORE_DUE_SECONDS: CLUSTER ? '1800' : '4',
    SIGNUP_VERIFICATION_SECONDS: String(SIGNUP_VERIFICATION_SECONDS),
    FAULTS_FILE,
    // The suites sign up hundreds of members from 127.0.0.1; the abuse-limits suite runs a second api with the real limits.
    SIGNUP_LIMIT_PER_ADDRESS: '1000000',
  };
  const children = new Map<string, ChildProcess>();
  const launch = (instance: string, overrides: Record<string, string> = {}) => {
    const copy = INSTANCES.find((i) => i.instance === instance)!;
    const entry = TEST_ENTRIES[copy.name];
    children.set(
      instance,
      startProcess(copy.name, {
        env: { ...env, ...copy.env, ...overrides },
        logDir: `.data/${TEST_PROFILE}/logs`,
        instance,
        ...(entry ? { entry } : {}),
      }),
    );
  };
  // A second api on its own port, started on demand (POST /second-api/start): suites that check what API processes share.
  const secondApi = {
    url: `http://127.0.0.1:${SECOND_API_PORT}`,
    child: undefined as ChildProcess | undefined,
    async start(overrides: Record<string, string> = {}) {
      if (this.child) await stopChild(this.child);
      this.child = startProcess('api', {
        env: { ...env, ...overrides, PORT: String(SECOND_API_PORT) },
        logDir: `.data/${TEST_PROFILE}/logs/second-api`,
      });
      await waitForHealthy(this.url, 180_000); // a cold start on a loaded two-core machine
    },
    async stop() {
      if (this.child) await stopChild(this.child);
      this.child = undefined;
    },
  };
  const stopProcesses = () => Promise.all([...[...children.values()].map((child) => stopChild(child)), secondApi.stop()]);
  const control = controlServer({ children, launch, secondApi });
  try {
    if (WITH_PROCESSES) {
      for (const { instance } of INSTANCES) launch(instance);
      // The cluster starts eight app processes on two cores: give them longer.
      for (const url of API_URLS) await waitForHealthy(url, CLUSTER ? 300_000 : 180_000);
      await waitForConsumerGroups(infra.env.KAFKA_BROKERS, Object.values(CONSUMER_GROUPS), 120_000);
    }
    await new Promise<void>((resolve) => control.listen(API_PORT + 5, '127.0.0.1', resolve));
  } catch (error) {
    await stopProcesses();
    await proxy?.stop();
    await infra.stop();
    throw error;
  }
  return {
    users: 0,
    stack: {
      apiUrl: `http://127.0.0.1:${API_PORT}`,
      secondApiUrl: `http://127.0.0.1:${SECOND_API_PORT}`,
      apiUrls: API_URLS,
      controlUrl: `http://127.0.0.1:${API_PORT + 5}`,
      processes: WITH_PROCESSES,
      metricsUrls: {
        api: `http://127.0.0.1:${API_PORT}/metrics`,
        worker: `http://127.0.0.1:${METRICS_PORTS.worker}/metrics`,
        relay: `http://127.0.0.1:${METRICS_PORTS.relay}/metrics`,
        consumers: `http://127.0.0.1:${METRICS_PORTS.consumers}/metrics`,
      },
      profile: TEST_PROFILE,
      databaseUrl: infra.env.DATABASE_URL,
      serviceDatabaseUrls: Object.fromEntries(
        Object.entries(infra.env).filter(([key, value]) => key.endsWith('_DATABASE_URL') && typeof value === 'string'),
      ) as Record<string, string>,
      temporalAddress: infra.env.TEMPORAL_ADDRESS,
      temporalUiUrl: infra.env.TEMPORAL_UI_URL ?? '',
      kafkaBrokers: infra.env.KAFKA_BROKERS,
      temporalBinary: TEMPORAL_BINARY,
      mailpitUrl: infra.env.MAILPIT_URL ?? '',
      smtpUrl: infra.env.SMTP_URL,
      toxiproxyUrl: proxy?.url ?? '',
    },
    async stop() {
      control.close();
      await stopProcesses();
      await proxy?.stop();
      await infra.stop();
    },
  };
}

/**
 * Starts the profile's Toxiproxy with a proxy for each server. Kafka is proxied only when the profile
 * runs its own broker; one started before the broker had its proxied listener is restarted with it.
 */
async function startProxies(profile: Profile, upstream: InfraEnv, log: (line: string) => void): Promise<RunningToxiproxy> {
  const kafka = !process.env.KAFKA_BROKERS;
  if (kafka && !(await portOpen(toxiproxyPortsOf(profile)!.kafkaUpstream))) {
    log('[kafka] restarting: the running broker has no listener for Toxiproxy');
    await restartServer(profile, 'kafka', { log });
  }
  const databaseUrls = Object.fromEntries(
    Object.entries(upstream).filter(([key, value]) => key.endsWith('DATABASE_URL') && typeof value === 'string'),
  ) as { DATABASE_URL: string } & Record<string, string>;
  return startToxiproxy(profile, { databaseUrls, TEMPORAL_ADDRESS: upstream.TEMPORAL_ADDRESS, kafka }, { log });
}

/**
 * POST /processes/<name>/kill {signal}, POST /processes/<name>/start {env},
 * POST /servers/<name>/stop, POST /servers/<name>/crash (SIGKILL; PostgreSQL: immediate
 * shutdown), POST /servers/<name>/start: what fault suites need;
 * POST /second-api/start {env}, POST /second-api/stop: a second api process.
 */
function controlServer(options: {
  children: Map<string, ChildProcess>;
  launch: (instance: string, overrides?: Record<string, string>) => void;
  secondApi: { start(overrides?: Record<string, string>): Promise<void>; stop(): Promise<void> };
}): Server {
  return createServer(async (request, response) => {
    const [, kind, name, action] = (request.url ?? '').split('/');
    let body = '';
    for await (const chunk of request) body += chunk;
    const input = body ? (JSON.parse(body) as { signal?: NodeJS.Signals; env?: Record<string, string> }) : {};
    try {
      if (kind === 'second-api') {
        if (name === 'start') await options.secondApi.start(input.env);
        else if (name === 'stop') await options.secondApi.stop();
        else throw new Error(`unknown action ${name}`);
      } else if (kind === 'processes' && INSTANCES.some((i) => i.instance === name)) {
        const processName = name!;
        const apiUrl = API_URLS[INSTANCES.filter((i) => i.name === 'api').findIndex((i) => i.instance === processName)];
        const child = options.children.get(processName);
        if (action === 'kill' && child) {
          const exited = new Promise((resolve) =>
            child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
          );
          child.kill(input.signal ?? 'SIGKILL');
          await exited;
        } else if (action === 'start') {
          if (child && child.exitCode === null && child.signalCode === null) await stopChild(child);
          options.launch(processName, input.env);
          if (apiUrl) await waitForHealthy(apiUrl, 60_000);
        } else throw new Error(`unknown action ${action}`);
      } else if (kind === 'servers' && serversOf(TEST_PROFILE as never).includes(name as ServerName)) {
        if (action === 'stop') await stopServer(TEST_PROFILE as never, name as ServerName);
        else if (action === 'crash') await crashServer(TEST_PROFILE as never, name as ServerName);
        else if (action === 'start') await startServer(TEST_PROFILE as never, name as ServerName, { detached: true });
        else throw new Error(`unknown action ${action}`);
      } else throw new Error(`unknown target ${request.url}`);
      response.writeHead(204).end();
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
}

export default async function setup(project: TestProject) {
  shared.bookRentalStack ??= startStack();
  const running = await shared.bookRentalStack;
  running.users++;
  project.provide('stack', running.stack);
  return async () => {
    if (--running.users === 0) {
      delete shared.bookRentalStack;
      await running.stop();
    }
  };
}
