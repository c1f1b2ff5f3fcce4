// Installs (when missing) and starts the project's infrastructure on this machine:
// PostgreSQL 15, the Temporal dev server and a single-broker Kafka 3.9.1 (KRaft).
// Used by `npm start` (profile dev), vitest's globalSetup (profile test) and cli.ts.
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, chownSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import pg from 'pg';

/** `dev`, `test`, or `test<N>`: an extra test stack (ports + N*100) so parallel suites never share servers. */
export type Profile = 'dev' | 'test' | `test${number}`;
export type ServerName = 'postgres' | 'temporal' | 'kafka';
export interface InfraEnv {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_UI_URL?: string;
  KAFKA_BROKERS: string;
}
export interface RunningInfra {
  env: InfraEnv;
  /** Stops only the servers this call started (reused ones keep running). */
  stop(): Promise<void>;
}
type Log = (line: string) => void;
export interface StartOptions {
  log?: Log;
  /** Detached servers outlive the process that started them (`infra:up`). */
  detached?: boolean;
  /** The Temporal UI's remote codec endpoint; default: the profile's API port (a server already running keeps its own). */
  codecEndpoint?: string;
}

const SERVERS: ServerName[] = ['postgres', 'temporal', 'kafka'];
const BASE_PORTS = {
  dev: { postgres: 15432, temporal: 7233, temporalUi: 8233, kafka: 9092, kafkaController: 9093 },
  test: { postgres: 15433, temporal: 7243, temporalUi: 8243, kafka: 9094, kafkaController: 9095 },
} as const;
type Ports = Record<keyof (typeof BASE_PORTS)['dev'], number>;

export function isProfile(value: string): value is Profile {
  return /^(dev|test|test[1-9])$/.test(value);
}

/** The API port each profile's app processes use by default: 3000 (dev), 3100 (test), 3100 + 10*N (testN). */
export function defaultApiPort(profile: Profile): number {
  if (profile === 'dev') return 3000;
  return 3100 + 10 * Number(profile.slice(4) || 0);
}

/** Where the Temporal UI asks the API to decode payloads (the remote codec endpoint, see services/platform/http/codec-routes.ts). */
export const codecEndpointOf = (apiPort: number): string => `http://127.0.0.1:${apiPort}/codec`;

function portsOf(profile: Profile): Ports {
  if (profile === 'dev' || profile === 'test') return BASE_PORTS[profile];
  const offset = Number(profile.slice(4)) * 100;
  const base = BASE_PORTS.test;
  return Object.fromEntries(Object.entries(base).map(([name, port]) => [name, port + offset])) as unknown as Ports;
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(homedir(), '.cache/book-rental-sagas');
const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The Temporal CLI built by install-temporal.sh (for tests that drive `temporal` themselves). */
export const TEMPORAL_BINARY = join(CACHE, 'temporal-1.5.1/temporal');
const KAFKA_LIBS = join(CACHE, 'kafka-3.9.1/libs');
// KRaft needs a fixed cluster id (16 bytes, base64url): "bookrentalsagas1".
const KAFKA_CLUSTER_ID = 'Ym9va3JlbnRhbHNhZ2FzMQ';
const DB = { user: 'bookrental', password: 'bookrental', database: 'bookrental' };
const START_TIMEOUT_MS = { postgres: 60_000, temporal: 120_000, kafka: 120_000 };
const STOP_TIMEOUT_MS = 30_000;

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- paths

const dataDir = (profile: Profile) => join(REPO, '.data', profile);
const serverDir = (profile: Profile, server: ServerName) => join(dataDir(profile), server);
const logFile = (profile: Profile, server: ServerName) => join(dataDir(profile), 'logs', `${server}.log`);
// PostgreSQL keeps its own pid file; the other two get one written by us.
const pidFile = (profile: Profile, server: ServerName) =>
  server === 'postgres'
    ? join(serverDir(profile, server), 'postmaster.pid')
    : join(serverDir(profile, server), `${server}.pid`);

// ---------------------------------------------------------------- small helpers

/** Polls `check` until it returns true; an exception thrown by `check` aborts at once. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(250);
  }
}

function portOpen(port: number): Promise<boolean> {
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

function readPid(profile: Profile, server: ServerName): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(profile, server), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and really is our server (pid files can outlive their process and pids get reused). */
function isServerProcess(pid: number, server: ServerName): boolean {
  const marker = { postgres: `${PG_BIN}/postgres`, temporal: TEMPORAL_BINARY, kafka: 'kafka.Kafka' }[server];
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** process.kill that ignores a process which is already gone. */
function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already exited
  }
}

function runningPid(profile: Profile, server: ServerName): number | undefined {
  const pid = readPid(profile, server);
  return pid !== undefined && isServerProcess(pid, server) ? pid : undefined;
}

const isRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root, so as root its programs run as the `postgres` OS user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Runs a bash installer, passing its output to `log` line by line. */
function runInstaller(script: string, log: Log): Promise<void> {
  const child = spawn('bash', [join(REPO, 'scripts/infra', script)], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout! }).on('line', log);
  createInterface({ input: child.stderr! }).on('line', log);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${script} failed with exit code ${code}`))));
  });
}

/** Starts a long-running server with output appended to its log file. */
function spawnServer(
  profile: Profile,
  server: ServerName,
  command: string,
  args: string[],
  opts: { detached: boolean; cwd: string; user?: { uid: number; gid: number } },
): ChildProcess {
  mkdirSync(dirname(logFile(profile, server)), { recursive: true });
  const fd = openSync(logFile(profile, server), 'a');
  writeSync(fd, `\n--- ${new Date().toISOString()} starting ${command} ${args.join(' ')}\n`);
  // detached: own session, so the server outlives us and ignores our terminal's Ctrl-C.
  const child = spawn(command, args, { cwd: opts.cwd, detached: opts.detached, stdio: ['ignore', fd, fd], ...opts.user });
  closeSync(fd);
  child.on('error', () => undefined); // surfaced through exitCode/waitFor instead
  if (opts.detached) child.unref();
  if (server !== 'postgres' && child.pid) writeFileSync(pidFile(profile, server), `${child.pid}\n`);
  return child;
}

function logTail(profile: Profile, server: ServerName): string {
  try {
    return readFileSync(logFile(profile, server), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- PostgreSQL

async function preparePostgres(profile: Profile): Promise<void> {
  const dir = serverDir(profile, 'postgres');
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  rmSync(dir, { recursive: true, force: true }); // leftovers of an interrupted initdb
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { mode: 0o700 }); // not recursive: that would make the parents 0700 too
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  // Local socket (inside the 0700 data dir) trusts; TCP needs a password.
  const args = ['-D', dir, '--username=postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C'];
  try {
    await execFileAsync(`${PG_BIN}/initdb`, args, { cwd: dir, ...user });
  } catch (err) {
    const hint = user ? ' (the postgres OS user must be able to enter every parent directory of the repo)' : '';
    throw new Error(`initdb failed${hint}: ${(err as { stderr?: string }).stderr ?? err}`);
  }
}

function startPostgres(profile: Profile, detached: boolean): ChildProcess {
  const dir = serverDir(profile, 'postgres');
  const args = [
    '-D', dir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `port=${portsOf(profile).postgres}`,
    '-c', `unix_socket_directories=${dir}`, // not /var/run/postgresql, which may not exist or be shared
    '-c', 'max_connections=200',
  ];
  return spawnServer(profile, 'postgres', `${PG_BIN}/postgres`, args, { detached, cwd: dir, user: postgresUser() });
}

/** Superuser connection over the data dir's unix socket (trusted, no password). */
async function withPostgresAdmin<T>(profile: Profile, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const user = 'postgres';
  const client = new pg.Client({ host: serverDir(profile, 'postgres'), port: portsOf(profile).postgres, user, database: 'postgres' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const postgresReady = (profile: Profile) => () =>
  withPostgresAdmin(profile, async (c) => (await c.query('select 1')).rowCount === 1).catch(() => false);

async function ensureDatabase(profile: Profile): Promise<void> {
  await withPostgresAdmin(profile, async (c) => {
    const role = await c.query('select 1 from pg_roles where rolname = $1', [DB.user]);
    // CREATEDB so tools like `prisma migrate dev` can create a shadow database.
    if (role.rowCount === 0) await c.query(`create role ${DB.user} login createdb password '${DB.password}'`);
    const db = await c.query('select 1 from pg_database where datname = $1', [DB.database]);
    if (db.rowCount === 0) await c.query(`create database ${DB.database} owner ${DB.user}`);
  });
}

// ---------------------------------------------------------------- Temporal

function startTemporal(profile: Profile, detached: boolean, opts: StartOptions = {}): ChildProcess {
  const dir = serverDir(profile, 'temporal');
  mkdirSync(dir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(portsOf(profile).temporal),
    '--ui-port', String(portsOf(profile).temporalUi),
    '--db-filename', join(dir, 'temporal.sqlite'),
    // WAL + synchronous=normal: far fewer fsyncs, still crash-safe for the database file.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    '--log-level', 'warn',
    // The dev server's one history shard reads its transfer queue (every workflow and activity task on its way
    // to a worker) at most 20 times a second, which added 25-45 ms to every step of a saga: rent-return at
    // 6 sagas/s went from p50 588 ms to 141-147 ms with no measurable cost at peak (docs/PERFORMANCE.md).
    '--dynamic-config-value', 'history.transferProcessorMaxPollRPS=100',
    '--namespace', 'default',
    '--search-attribute', 'MemberId=Keyword',
    '--search-attribute', 'BookNo=Keyword',
    '--search-attribute', 'SagaStatus=Keyword',
    '--search-attribute', 'SagaType=Keyword',
    // The UI decrypts payloads through the API's codec endpoint (payloads are encrypted, see README "Security").
    '--ui-codec-endpoint', opts.codecEndpoint ?? codecEndpointOf(defaultApiPort(profile)),
  ];
  return spawnServer(profile, 'temporal', TEMPORAL_BINARY, args, { detached, cwd: dir });
}

const temporalReady = (profile: Profile) => async () => {
  const address = `127.0.0.1:${portsOf(profile).temporal}`;
  try {
    // Health answers as soon as the frontend is up; the namespace proves the persistence layer too.
    await execFileAsync(TEMPORAL_BINARY, ['operator', 'cluster', 'health', '--address', address], { timeout: 5000 });
    await execFileAsync(TEMPORAL_BINARY, ['operator', 'namespace', 'describe', '--namespace', 'default', '--address', address], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------- Kafka

function writeKafkaConfig(profile: Profile): { properties: string; log4j: string } {
  const dir = serverDir(profile, 'kafka');
  const { kafka, kafkaController } = portsOf(profile);
  mkdirSync(dir, { recursive: true });
  const properties = join(dir, 'server.properties');
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      // a single broker can only replicate once
      'offsets.topic.replication.factor=1',
      // One broker: a few offset partitions make the first consumer group join in a second, not ten.
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'auto.create.topics.enable=false', // topics are created explicitly, typos must fail
      'num.partitions=3',
      'group.initial.rebalance.delay.ms=0', // consumers join at once instead of after 3s
      '',
    ].join('\n'),
  );
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.RollingFileAppender',
      `log4j.appender.file.File=${join(dir, 'server.log')}`,
      'log4j.appender.file.MaxFileSize=10MB',
      'log4j.appender.file.MaxBackupIndex=2',
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  );
  return { properties, log4j };
}

async function prepareKafka(profile: Profile): Promise<void> {
  const { properties, log4j } = writeKafkaConfig(profile);
  if (existsSync(join(serverDir(profile, 'kafka'), 'data', 'meta.properties'))) return;
  await execFileAsync(
    'java',
    ['-cp', `${KAFKA_LIBS}/*`, `-Dlog4j.configuration=file:${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', KAFKA_CLUSTER_ID, '-c', properties],
    { cwd: serverDir(profile, 'kafka') },
  );
}

function startKafka(profile: Profile, detached: boolean): ChildProcess {
  const dir = serverDir(profile, 'kafka');
  const args = [
    '-Xms256m', '-Xmx512m',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp', `${KAFKA_LIBS}/*`,
    'kafka.Kafka', join(dir, 'server.properties'),
  ];
  return spawnServer(profile, 'kafka', 'java', args, { detached, cwd: dir });
}

/** A metadata round-trip with the client the project uses proves the broker is usable, not just listening. */
const kafkaReady = (profile: Profile) => async () => {
  if (!(await portOpen(portsOf(profile).kafka))) return false;
  const kafka = new kafkajs.Kafka({
    clientId: 'infra-probe',
    brokers: [`127.0.0.1:${portsOf(profile).kafka}`],
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

// ---------------------------------------------------------------- one server

const INSTALLERS: Record<ServerName, string> = {
  postgres: 'install-postgres.sh',
  temporal: 'install-temporal.sh',
  kafka: 'install-kafka.sh',
};
const PREPARE: Record<ServerName, (p: Profile) => Promise<void>> = {
  postgres: preparePostgres,
  temporal: async () => undefined,
  kafka: prepareKafka,
};
const START: Record<ServerName, (p: Profile, detached: boolean, opts: StartOptions) => ChildProcess> = {
  postgres: startPostgres,
  temporal: startTemporal,
  kafka: startKafka,
};
const READY: Record<ServerName, (p: Profile) => () => Promise<boolean>> = {
  postgres: postgresReady,
  temporal: temporalReady,
  kafka: kafkaReady,
};

/**
 * Makes sure one server of the profile is installed, running and ready.
 * Returns true when this call started it, false when a running one was reused.
 */
export async function startServer(profile: Profile, server: ServerName, opts: StartOptions = {}): Promise<boolean> {
  const log = opts.log ?? (() => undefined);
  await runInstaller(INSTALLERS[server], (line) => log(`[${server}] ${line}`));
  const port = portsOf(profile)[server];

  const pid = runningPid(profile, server);
  if (pid !== undefined) {
    log(`[${server}] reusing running server (pid ${pid}, port ${port})`);
    await becomeReady(profile, server, () => (isServerProcess(pid, server) ? undefined : 'exited'));
  } else {
    if (await portOpen(port)) throw new Error(`port ${port} is taken by a process that is not the ${profile} ${server} server`);
    await PREPARE[server](profile);
    log(`[${server}] starting on 127.0.0.1:${port} (log: ${logFile(profile, server)})`);
    const child = START[server](profile, opts.detached ?? false, opts);
    try {
      await becomeReady(profile, server, () => (child.exitCode ?? child.signalCode ?? undefined)?.toString());
    } catch (err) {
      await stopServer(profile, server); // a server that never became ready must not linger
      throw err;
    }
  }
  log(`[${server}] ready on 127.0.0.1:${port}`);
  return pid === undefined;
}

/** Waits until the server answers (failing fast if its process ends), then sets up what the project needs in it. */
async function becomeReady(profile: Profile, server: ServerName, exited: () => string | undefined): Promise<void> {
  await waitFor(`${server} on port ${portsOf(profile)[server]}`, async () => {
    const status = exited();
    if (status !== undefined) throw new Error(`${server} exited during startup (${status}):\n${logTail(profile, server)}`);
    return READY[server](profile)();
  }, START_TIMEOUT_MS[server]);
  if (server === 'postgres') await ensureDatabase(profile);
}

/** Stops one server of the profile by its pid file (no-op when not running). */
export async function stopServer(profile: Profile, server: ServerName): Promise<void> {
  const pid = runningPid(profile, server);
  if (pid === undefined) return;
  if (server === 'postgres') {
    // fast = roll back open transactions and shut down cleanly (no crash recovery at next start)
    await execFileAsync(`${PG_BIN}/pg_ctl`, ['stop', '-D', serverDir(profile, server), '-m', 'fast', '-w', '-t', String(STOP_TIMEOUT_MS / 1000)], {
      cwd: serverDir(profile, server),
      ...postgresUser(),
    }).catch(() => kill(pid, 'SIGKILL'));
  } else {
    kill(pid, 'SIGTERM');
  }
  const gone = async () => !isServerProcess(pid, server);
  await waitFor(`${server} (pid ${pid}) to stop`, gone, STOP_TIMEOUT_MS).catch(async () => {
    kill(pid, 'SIGKILL');
    await waitFor(`${server} (pid ${pid}) to die`, gone, 5000);
  });
  if (server !== 'postgres') rmSync(pidFile(profile, server), { force: true });
}

/** Stop then start one server, e.g. for fault-injection tests. Started detached, so it outlives a test worker. */
export async function restartServer(profile: Profile, server: ServerName, opts: { log?: Log } = {}): Promise<void> {
  await stopServer(profile, server);
  await startServer(profile, server, { log: opts.log, detached: true });
}

// ---------------------------------------------------------------- all servers

export function infraEnv(profile: Profile): InfraEnv {
  const p = portsOf(profile);
  return {
    DATABASE_URL: process.env.DATABASE_URL ?? `postgresql://${DB.user}:${DB.password}@127.0.0.1:${p.postgres}/${DB.database}`,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${p.temporal}`,
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_UI_URL: process.env.TEMPORAL_ADDRESS ? process.env.TEMPORAL_UI_URL : `http://127.0.0.1:${p.temporalUi}`,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? `127.0.0.1:${p.kafka}`,
  };
}

/** Servers to manage: one whose address is given by the environment is someone else's. */
function managedServers(): ServerName[] {
  const override: Record<ServerName, string> = { postgres: 'DATABASE_URL', temporal: 'TEMPORAL_ADDRESS', kafka: 'KAFKA_BROKERS' };
  return SERVERS.filter((s) => !process.env[override[s]]);
}

export async function startInfrastructure(opts: StartOptions & { profile: Profile }): Promise<RunningInfra> {
  const { profile } = opts;
  const servers = managedServers();
  // Install and start all three in parallel; the slow parts (builds, JVM, initdb) don't depend on each other.
  const results = await Promise.allSettled(servers.map((s) => startServer(profile, s, opts)));
  const started = servers.filter((_, i) => {
    const r = results[i]!;
    return r.status === 'fulfilled' && r.value;
  });
  const stop = async () => {
    await Promise.all(started.map((s) => stopServer(profile, s)));
  };
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length > 0) {
    await stop(); // don't leave half an environment behind
    throw new AggregateError(failures, `infrastructure failed to start: ${failures.map((e) => e.message).join('; ')}`);
  }
  return { env: infraEnv(profile), stop };
}

/** Stops every server of the profile by pid file, whoever started it (used by `infra:down`). */
export async function stopInfrastructure(profile: Profile): Promise<void> {
  await Promise.all(SERVERS.map((s) => stopServer(profile, s)));
}

export async function infraStatus(profile: Profile): Promise<Record<ServerName, { pid?: number; port: number; listening: boolean }>> {
  const entries = await Promise.all(
    SERVERS.map(async (s) => [s, { pid: runningPid(profile, s), port: portsOf(profile)[s], listening: await portOpen(portsOf(profile)[s]) }] as const),
  );
  return Object.fromEntries(entries) as Record<ServerName, { pid?: number; port: number; listening: boolean }>;
}
