/** Fault injection from test files: the global setup owns the processes and servers and obeys these calls. */
import { inject } from 'vitest';
import type { ProcessName } from '../../scripts/processes.ts';

async function control(path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(inject('stack').controlUrl + path, { method: 'POST', body: JSON.stringify(body) });
  if (response.status !== 204) throw new Error(`control ${path} failed: ${await response.text()}`);
}

/** A process, or one copy of it in the cluster profile (`worker-2`: the second worker). */
type Instance = ProcessName | `${ProcessName}-${number}`;
export const killProcess = (name: Instance, signal: NodeJS.Signals = 'SIGKILL') => control(`/processes/${name}/kill`, { signal });
/** (Re)starts a process, optionally with extra environment (test-only faults such as RELAY_CRASH_AFTER_PUBLISH). */
export const startProcess = (name: Instance, env: Record<string, string> = {}) => control(`/processes/${name}/start`, { env });
type ServerName = 'postgres' | 'kafka' | 'kafka2' | 'kafka3' | 'temporal' | 'temporalUi' | 'mailpit';
export const stopServer = (name: ServerName) => control(`/servers/${name}/stop`);
/** A hard crash: SIGKILL (PostgreSQL: immediate shutdown, its backends killed at once, crash recovery at the next start). */
export const crashServer = (name: ServerName) => control(`/servers/${name}/crash`);
export const startServer = (name: ServerName) => control(`/servers/${name}/start`);
/** Starts (or restarts) a second api process beside the stack's, on stack.secondApiUrl, with extra environment. */
export const startSecondApi = (env: Record<string, string> = {}) => control('/second-api/start', { env });
export const stopSecondApi = () => control('/second-api/stop');
