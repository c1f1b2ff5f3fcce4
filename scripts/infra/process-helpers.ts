// Process plumbing shared by the three servers: spawning with a log file, pids, ports, polling.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { REPO } from './profiles.ts';

export type Log = (line: string) => void;

export const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; an exception thrown by `check` aborts at once. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(250);
  }
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 1000 });
    const finish = (open: boolean) => {
      socket.destroy();
      done(open);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('timeout', () => finish(false));
  });
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and its command line contains `marker` (pid files can outlive their process and pids get reused). */
export function isProcessOf(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** process.kill that ignores a process which is already gone. */
export function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already exited
  }
}

/** Runs a bash installer of scripts/infra/, passing its output to `log` line by line. */
export function runInstaller(script: string, log: Log): Promise<void> {
  const child = spawn('bash', [join(REPO, 'scripts/infra', script)], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout! }).on('line', log);
  createInterface({ input: child.stderr! }).on('line', log);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${script} failed with exit code ${code}`))));
  });
}

/** Starts a long-running server with output appended to `logFile`. */
export function spawnServer(
  logFile: string,
  command: string,
  args: string[],
  opts: { detached: boolean; cwd: string; user?: { uid: number; gid: number } },
): ChildProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  writeSync(fd, `\n--- ${new Date().toISOString()} starting ${command} ${args.join(' ')}\n`);
  // detached: own session, so the server outlives us and ignores our terminal's Ctrl-C.
  const child = spawn(command, args, { cwd: opts.cwd, detached: opts.detached, stdio: ['ignore', fd, fd], ...opts.user });
  closeSync(fd);
  child.on('error', () => undefined); // surfaced through exitCode/waitFor instead
  if (opts.detached) child.unref();
  return child;
}

/** The last lines of a log file, to show why a server died during start-up. */
export function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
