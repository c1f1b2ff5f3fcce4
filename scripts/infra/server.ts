// The life cycle every server goes through (install, reuse or start, wait until ready, stop),
// driven by a small definition per server (postgres.ts, temporal.ts, kafka.ts).
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessOf, kill, logTail, portOpen, readPid, runInstaller, waitFor, type Log } from './process-helpers.ts';
import { logFile, portsOf, serverDir, type Profile, type ServerName } from './profiles.ts';

export interface StartOptions {
  log?: Log;
  /** Detached servers outlive the process that started them (`infra:up`). */
  detached?: boolean;
  /** The Temporal UI's remote codec endpoint; default: the profile's API port (a server already running keeps its own). */
  codecEndpoint?: string;
}

/** What differs between the servers; everything else is in this file. */
export interface ServerDefinition {
  name: ServerName;
  /** Idempotent bash script of scripts/infra/ that installs the server when missing. */
  installer: string;
  /** Part of /proc/<pid>/cmdline that proves a pid really is this server. */
  commandMarker: string;
  /** The pid file the server writes itself, inside its data dir; without one we write (and remove) `<name>.pid` there. */
  ownPidFile?: string;
  startTimeoutMs: number;
  /** One-time set-up before the first start (data dir, config files). */
  prepare?(profile: Profile): Promise<void>;
  start(profile: Profile, detached: boolean, opts: StartOptions): ChildProcess;
  /** Whether the server answers, and is usable rather than just listening. */
  ready(profile: Profile): Promise<boolean>;
  /** What the project needs inside a ready server (run on every start or reuse). */
  setUp?(profile: Profile): Promise<void>;
  /** Crashes a running server without a clean shutdown (fault tests); default SIGKILL. */
  crash?(profile: Profile, pid: number): Promise<void>;
  /** Asks a running server to stop; default SIGTERM. It is killed when still there after STOP_TIMEOUT_MS. */
  requestStop?(profile: Profile, pid: number): Promise<void>;
}

export const STOP_TIMEOUT_MS = 30_000;

const pidFileOf = (profile: Profile, server: ServerDefinition) =>
  join(serverDir(profile, server.name), server.ownPidFile ?? `${server.name}.pid`);

export function runningPid(profile: Profile, server: ServerDefinition): number | undefined {
  const pid = readPid(pidFileOf(profile, server));
  return pid !== undefined && isProcessOf(pid, server.commandMarker) ? pid : undefined;
}

/**
 * Makes sure one server of the profile is installed, running and ready.
 * Returns true when this call started it, false when a running one was reused.
 */
export async function startServer(profile: Profile, server: ServerDefinition, opts: StartOptions = {}): Promise<boolean> {
  const { name } = server;
  const log = opts.log ?? (() => undefined);
  await runInstaller(server.installer, (line) => log(`[${name}] ${line}`));
  const port = portsOf(profile)[name];

  const pid = runningPid(profile, server);
  if (pid !== undefined) {
    log(`[${name}] reusing running server (pid ${pid}, port ${port})`);
    await becomeReady(profile, server, () => (isProcessOf(pid, server.commandMarker) ? undefined : 'exited'));
  } else {
    if (await portOpen(port)) throw new Error(`port ${port} is taken by a process that is not the ${profile} ${name} server`);
    await server.prepare?.(profile);
    log(`[${name}] starting on 127.0.0.1:${port} (log: ${logFile(profile, name)})`);
    const child = server.start(profile, opts.detached ?? false, opts);
    if (!server.ownPidFile && child.pid) writeFileSync(pidFileOf(profile, server), `${child.pid}\n`);
    try {
      await becomeReady(profile, server, () => (child.exitCode ?? child.signalCode ?? undefined)?.toString());
    } catch (err) {
      await stopServer(profile, server); // a server that never became ready must not linger
      throw err;
    }
  }
  log(`[${name}] ready on 127.0.0.1:${port}`);
  return pid === undefined;
}

/** Waits until the server answers (failing fast if its process ends), then sets up what the project needs in it. */
async function becomeReady(profile: Profile, server: ServerDefinition, exited: () => string | undefined): Promise<void> {
  const { name } = server;
  await waitFor(
    `${name} on port ${portsOf(profile)[name]}`,
    async () => {
      const status = exited();
      if (status !== undefined) throw new Error(`${name} exited during startup (${status}):\n${logTail(logFile(profile, name))}`);
      return server.ready(profile);
    },
    server.startTimeoutMs,
  );
  await server.setUp?.(profile);
}

/** Stops one server of the profile by its pid file (no-op when not running). */
export async function stopServer(profile: Profile, server: ServerDefinition): Promise<void> {
  const pid = runningPid(profile, server);
  if (pid === undefined) return;
  if (server.requestStop) await server.requestStop(profile, pid);
  else kill(pid, 'SIGTERM');
  const gone = async () => !isProcessOf(pid, server.commandMarker);
  await waitFor(`${server.name} (pid ${pid}) to stop`, gone, STOP_TIMEOUT_MS).catch(async () => {
    kill(pid, 'SIGKILL');
    await waitFor(`${server.name} (pid ${pid}) to die`, gone, 5000);
  });
  if (!server.ownPidFile) rmSync(pidFileOf(profile, server), { force: true });
}

/** Crashes one server of the profile (SIGKILL, or the server's own immediate shutdown) and waits until it is gone. */
export async function crashServer(profile: Profile, server: ServerDefinition): Promise<void> {
  const pid = runningPid(profile, server);
  if (pid === undefined) return;
  if (server.crash) await server.crash(profile, pid);
  else kill(pid, 'SIGKILL');
  await waitFor(`${server.name} (pid ${pid}) to die`, async () => !isProcessOf(pid, server.commandMarker), 30_000);
  if (!server.ownPidFile) rmSync(pidFileOf(profile, server), { force: true });
}
