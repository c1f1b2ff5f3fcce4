/** Fault injection from test files: the global setup owns the processes and servers and obeys these calls. */
import { inject } from 'vitest';
import type { ProcessName } from '../../scripts/processes.ts';

async function control(path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(inject('stack').controlUrl + path, { method: 'POST', body: JSON.stringify(body) });
  if (response.status !== 204) throw new Error(`control ${path} failed: ${await response.text()}`);
}

export const killProcess = (name: ProcessName, signal: NodeJS.Signals = 'SIGKILL') => control(`/processes/${name}/kill`, { signal });
/** (Re)starts a process, optionally with extra environment (test-only faults such as RELAY_CRASH_AFTER_PUBLISH). */
export const startProcess = (name: ProcessName, env: Record<string, string> = {}) => control(`/processes/${name}/start`, { env });
type ServerName = 'postgres' | 'kafka' | 'kafka2' | 'kafka3' | 'temporal';
export const stopServer = (name: ServerName) => control(`/servers/${name}/stop`);
export const startServer = (name: ServerName) => control(`/servers/${name}/start`);
/** SIGKILL to a server's process (the cluster's brokers, its Temporal server). */
export const killServer = (name: ServerName) => control(`/servers/${name}/kill`);
