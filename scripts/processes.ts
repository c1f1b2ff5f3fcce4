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
  children: Map<ProcessName, ChildProcess>;
  /** SIGTERM to each, SIGKILL after the grace period; resolves when all have exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string>;
  logDir?: string;
  /** The script to run instead of processes/<name>.ts (the test stack's entries add fault injection). */
  entry?: string;
}

export function startProcess(name: ProcessName, options: StartOptions): ChildProcess {
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', options.entry ?? join('processes', `${name}.ts`)], {
    cwd: REPO,
    env: { ...process.env, ...options.env, ...(options.logDir ? { LOG_DIR: resolve(REPO, options.logDir) } : {}) },
    stdio: ['ignore', options.logDir ? 'ignore' : 'pipe', 'pipe'],
  });
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    child.stderr!.pipe(createWriteStream(join(options.logDir, `${name}.stderr.log`), { flags: 'a' }));
  } else {
    const prefix = `\x1b[${COLORS[name]}m${name.padEnd(9)}\x1b[0m│ `;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
  }
  return child;
}

export function startProcesses(options: { env: Record<string, string>; logDir?: string; names?: readonly ProcessName[] }): ProcessGroup {
  const children = new Map<ProcessName, ChildProcess>();
  for (const name of options.names ?? PROCESS_NAMES) children.set(name, startProcess(name, options));
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
