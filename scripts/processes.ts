/**
 * Starts the four application processes (api, worker, relay, consumers) as
 * children, each exactly as it runs alone (`node <NODE_FLAGS> --import tsx processes/<name>.ts`).
 * Output goes to the terminal with a name prefix; with a log directory, each
 * process writes its own rotated `<name>.log` there (LOG_DIR) and only what
 * it prints outside its logger (a crash before the logger exists) goes to `<name>.stderr.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const PROCESS_NAMES = ['worker', 'relay', 'consumers', 'api'] as const;

/**
 * V8's young generation at its full size from the start (2 x 16 MiB) instead of
 * growing there under load: memory is flat from the first minute (the soak,
 * docs/PERFORMANCE.md) and there are fewer scavenges. The same flags are in
 * package.json, the Dockerfile and docker-compose.yml (a test keeps them equal).
 */
export const NODE_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=16'] as const;
export type ProcessName = (typeof PROCESS_NAMES)[number];

const REPO = resolve(import.meta.dirname, '..');
const COLORS = { api: 36, worker: 35, relay: 33, consumers: 32 } as const;

export interface ProcessGroup {
  children: Map<string, ChildProcess>;
  /** SIGTERM to each, SIGKILL after the grace period; resolves when all have exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * One running copy of a process: `api`, or `api-2` for the cluster profile's second API.
 * Its env holds what differs between copies (port, metrics port).
 */
export interface ProcessInstance {
  instance: string;
  name: ProcessName;
  env: Record<string, string>;
}

/**
 * The processes a profile runs. The cluster profile doubles each, and both
 * workers host every task queue: with two workers, a split by queue would make
 * each queue depend on one process, and a worker killed mid-saga must leave
 * another that can finish it. (Per-service workers, WORKER_QUEUES, need two
 * per queue to keep that property.) The second API listens 10 ports up; the
 * metrics ports follow each API port (+6 worker, +7 relay, +8 consumers).
 */
export function processInstances(options: { apiPort: number; doubled: boolean; metricsBesideApi?: boolean }): ProcessInstance[] {
  const copies = options.doubled ? [0, 1] : [0];
  return copies.flatMap((copy) => {
    const port = options.apiPort + 10 * copy;
    const suffix = copy === 0 ? '' : `-${copy + 1}`;
    const metrics: Record<ProcessName, number> = { api: port, worker: port + 6, relay: port + 7, consumers: port + 8 };
    return PROCESS_NAMES.map(
      (name): ProcessInstance => ({
        instance: `${name}${suffix}`,
        name,
        // A single copy keeps the processes' own default metrics ports (services/platform/metrics.ts).
        env:
          name === 'api'
            ? { PORT: String(port) }
            : options.doubled || options.metricsBesideApi
              ? { METRICS_PORT: String(metrics[name]) }
              : ({} as Record<string, string>),
      }),
    );
  });
}

export interface StartOptions {
  env: Record<string, string>;
  logDir?: string;
  /** The script to run instead of processes/<name>.ts (the test stack's entries add fault injection). */
  entry?: string;
  /** Which copy this is (`api-2`): its output prefix, and a log directory of its own under logDir. */
  instance?: string;
}

export function startProcess(name: ProcessName, options: StartOptions): ChildProcess {
  const instance = options.instance ?? name;
  // A second copy logs to `<logDir>/<instance>/<name>.log`, never into the first copy's rotated file.
  const logDir = options.logDir && instance !== name ? join(options.logDir, instance) : options.logDir;
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', options.entry ?? join('processes', `${name}.ts`)], {
    cwd: REPO,
    env: { ...process.env, ...options.env, ...(logDir ? { LOG_DIR: resolve(REPO, logDir) } : {}) },
    stdio: ['ignore', logDir ? 'ignore' : 'pipe', 'pipe'],
  });
  if (logDir) {
    mkdirSync(logDir, { recursive: true });
    child.stderr!.pipe(createWriteStream(join(logDir, `${name}.stderr.log`), { flags: 'a' }));
  } else {
    const prefix = `\x1b[${COLORS[name]}m${instance.padEnd(11)}\x1b[0m│ `;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
  }
  return child;
}

export function startProcesses(options: { env: Record<string, string>; logDir?: string; instances: ProcessInstance[] }): ProcessGroup {
  const children = new Map<string, ChildProcess>();
  for (const { instance, name, env } of options.instances) {
    children.set(
      instance,
      startProcess(name, { env: { ...options.env, ...env }, ...(options.logDir ? { logDir: options.logDir } : {}), instance }),
    );
  }
  return {
    children,
    async stop(graceMs = 15_000) {
      await Promise.all([...children.values()].map((child) => stopChild(child, graceMs)));
    },
  };
}

export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** Polls GET /health until every check is ok. */
export async function waitForHealthy(apiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${apiUrl}/health`);
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the api at ${apiUrl} did not become healthy: ${last}`);
}
