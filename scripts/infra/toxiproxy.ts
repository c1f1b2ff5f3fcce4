// Toxiproxy between the test profiles' app processes and PostgreSQL, Kafka and Temporal, so that
// network-fault suites (test/faults/network-*.test.ts) can add latency, reset connections or drop
// every byte on one of those paths while the test itself still reaches the servers directly.
//
// The dev profile (`npm start`) runs without it. Kafka clients learn broker addresses from the
// broker's metadata, so in a test profile the broker has a second listener (PROXIED) that advertises
// the proxy's address: a client that bootstraps through the proxy stays behind it, and the suites'
// own clients, on the broker's usual listener, never pass through it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessOf, kill, logTail, portOpen, readPid, runInstaller, spawnServer, waitFor, type Log } from './process-helpers.ts';
import { CACHE, REPO } from './profiles.ts';

export const TOXIPROXY_VERSION = '2.5.0';
export const TOXIPROXY_BINARY = join(CACHE, `toxiproxy-${TOXIPROXY_VERSION}/toxiproxy-server`);
/** The proxies a test profile runs, one per server the app processes talk to. */
export type ProxyName = 'postgres' | 'kafka' | 'temporal';

export interface ToxiproxyPorts {
  /** Toxiproxy's own HTTP API (proxies, toxics). */
  api: number;
  postgres: number;
  temporal: number;
  kafka: number;
  /** The broker's PROXIED listener, the Kafka proxy's upstream (it advertises the `kafka` port above). */
  kafkaUpstream: number;
}

/**
 * Ports of a test profile's Toxiproxy: 8474.. for `test`, plus N*100 for `testN` (clear of every
 * other port of the profiles); undefined for any other profile, which runs without it.
 */
export function toxiproxyPortsOf(profile: string): ToxiproxyPorts | undefined {
  const match = /^test(\d?)$/.exec(profile);
  if (!match) return undefined;
  const base = 8474 + 100 * Number(match[1] || 0);
  return { api: base, postgres: base + 1, temporal: base + 2, kafka: base + 3, kafkaUpstream: base + 4 };
}

/**
 * The broker's server.properties lines with the PROXIED listener added in a test profile
 * (listens on kafkaUpstream, advertises the proxy's port); unchanged in any other profile.
 */
export function withProxiedKafkaListener(profile: string, lines: string[]): string[] {
  const ports = toxiproxyPortsOf(profile);
  if (!ports) return lines;
  return lines.map((line) => {
    if (line.startsWith('listeners=')) return `${line},PROXIED://127.0.0.1:${ports.kafkaUpstream}`;
    if (line.startsWith('advertised.listeners=')) return `${line},PROXIED://127.0.0.1:${ports.kafka}`;
    if (line.startsWith('listener.security.protocol.map=')) return `${line},PROXIED:PLAINTEXT`;
    return line;
  });
}

const dirOf = (profile: string) => join(REPO, '.data', profile, 'toxiproxy');
const pidFileOf = (profile: string) => join(dirOf(profile), 'toxiproxy.pid');
const logFileOf = (profile: string) => join(REPO, '.data', profile, 'logs', 'toxiproxy.log');

export interface RunningToxiproxy {
  /** Toxiproxy's HTTP API, for adding and removing toxics. */
  url: string;
  /** The app processes' connection settings, pointing at the proxies (DATABASE_URL, each *_DATABASE_URL, TEMPORAL_ADDRESS, KAFKA_BROKERS). */
  env: Record<string, string>;
  /** Stops Toxiproxy when this call started it. */
  stop(): Promise<void>;
}

async function api(url: string, path: string, init: { method: string; body?: unknown }): Promise<unknown> {
  const response = await fetch(url + path, {
    method: init.method,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`toxiproxy ${init.method} ${path} answered ${response.status}: ${text}`);
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

async function answers(url: string): Promise<boolean> {
  try {
    await api(url, '/version', { method: 'GET' });
    return true;
  } catch {
    return false;
  }
}

export interface ToxiproxyUpstream {
  /** DATABASE_URL (the owner's) and the services' own URLs (`AUTH_DATABASE_URL`, ...). */
  databaseUrls: { DATABASE_URL: string } & Record<string, string>;
  TEMPORAL_ADDRESS: string;
  /** Whether the profile's own broker runs (with the PROXIED listener). */
  kafka: boolean;
}

/**
 * The proxies of a profile's Toxiproxy and the app processes' settings that go through them:
 * every database URL naming the owner's server (each service's role keeps its user and
 * password) through the one PostgreSQL proxy, a URL naming another server left as it is.
 */
export function proxyPlan(ports: ToxiproxyPorts, upstream: ToxiproxyUpstream) {
  const serverOf = (url: URL) => `${url.hostname}:${url.port || 5432}`;
  const database = serverOf(new URL(upstream.databaseUrls.DATABASE_URL));
  const proxies = [
    { name: 'postgres', listen: `127.0.0.1:${ports.postgres}`, upstream: database, enabled: true },
    { name: 'temporal', listen: `127.0.0.1:${ports.temporal}`, upstream: upstream.TEMPORAL_ADDRESS, enabled: true },
    ...(upstream.kafka
      ? [{ name: 'kafka', listen: `127.0.0.1:${ports.kafka}`, upstream: `127.0.0.1:${ports.kafkaUpstream}`, enabled: true }]
      : []),
  ];
  const databaseUrls = Object.entries(upstream.databaseUrls).flatMap(([key, value]) => {
    const proxied = new URL(value);
    if (serverOf(proxied) !== database) return [];
    proxied.hostname = '127.0.0.1';
    proxied.port = String(ports.postgres);
    return [[key, proxied.toString()]];
  });
  const env: Record<string, string> = {
    ...Object.fromEntries(databaseUrls),
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    ...(upstream.kafka ? { KAFKA_BROKERS: `127.0.0.1:${ports.kafka}` } : {}),
  };
  return { proxies, env };
}

/**
 * Installs (when missing) and starts the profile's Toxiproxy, or reuses a running one, and sets up
 * its three proxies with no toxic and every proxy enabled. `upstream` holds the servers' real
 * addresses: DATABASE_URL (the owner's) and the services' own URLs (`AUTH_DATABASE_URL`, ...), each
 * moved behind the proxy when it names the owner's server; Kafka is proxied only when the profile's
 * own broker runs (it needs the PROXIED listener).
 */
export async function startToxiproxy(profile: string, upstream: ToxiproxyUpstream, opts: { log?: Log } = {}): Promise<RunningToxiproxy> {
  const ports = toxiproxyPortsOf(profile);
  if (!ports) throw new Error(`profile ${profile} runs without Toxiproxy`);
  const log = opts.log ?? (() => undefined);
  await runInstaller('install-toxiproxy.sh', (line) => log(`[toxiproxy] ${line}`));
  const url = `http://127.0.0.1:${ports.api}`;
  let started = false;
  let pid = readPid(pidFileOf(profile));
  if (pid !== undefined && isProcessOf(pid, TOXIPROXY_BINARY)) {
    log(`[toxiproxy] reusing running server (pid ${pid}, port ${ports.api})`);
  } else {
    if (await portOpen(ports.api)) throw new Error(`port ${ports.api} is taken by a process that is not the ${profile} toxiproxy`);
    mkdirSync(dirOf(profile), { recursive: true });
    log(`[toxiproxy] starting on 127.0.0.1:${ports.api} (log: ${logFileOf(profile)})`);
    // `env` sets its log level and then becomes the server (same pid): it logs every API call at its default level.
    const args = ['LOG_LEVEL=warn', TOXIPROXY_BINARY, '-host', '127.0.0.1', '-port', String(ports.api), '-proxy-metrics'];
    const child = spawnServer(logFileOf(profile), 'env', args, { detached: false, cwd: dirOf(profile) });
    pid = child.pid;
    writeFileSync(pidFileOf(profile), `${pid}\n`);
    started = true;
    await waitFor(
      `toxiproxy on port ${ports.api}`,
      async () => {
        const status = child.exitCode ?? child.signalCode;
        if (status !== null) throw new Error(`toxiproxy exited during startup (${status}):\n${logTail(logFileOf(profile))}`);
        return answers(url);
      },
      30_000,
    );
  }
  const { proxies, env } = proxyPlan(ports, upstream);
  // A reused server may hold toxics or a disabled proxy from an interrupted run: start clean.
  await api(url, '/reset', { method: 'POST' });
  await api(url, '/populate', { method: 'POST', body: proxies });
  return {
    url,
    env,
    async stop() {
      if (started) await stopToxiproxy(profile);
    },
  };
}

/** Stops the profile's Toxiproxy by its pid file (no-op when not running). */
export async function stopToxiproxy(profile: string): Promise<void> {
  const pid = readPid(pidFileOf(profile));
  if (pid === undefined || !isProcessOf(pid, TOXIPROXY_BINARY)) return;
  kill(pid, 'SIGTERM');
  const gone = async () => !isProcessOf(pid, TOXIPROXY_BINARY);
  await waitFor(`toxiproxy (pid ${pid}) to stop`, gone, 10_000).catch(async () => {
    kill(pid, 'SIGKILL');
    await waitFor(`toxiproxy (pid ${pid}) to die`, gone, 5000);
  });
  rmSync(pidFileOf(profile), { force: true });
}
