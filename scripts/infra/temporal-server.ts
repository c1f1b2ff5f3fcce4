// The cluster profile's Temporal: the real server (frontend, history, matching and worker
// services in one process) with persistence and visibility in PostgreSQL databases of their own,
// the schema applied by the server's own SQL tool, and the standalone web UI.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { execFileAsync, spawnServer } from './process-helpers.ts';
import { CACHE, codecEndpointOf, defaultApiPort, logFile, portsOf, serverDir, type Profile } from './profiles.ts';
import type { ServerDefinition, StartOptions } from './server.ts';
import { TEMPORAL_BINARY } from './temporal.ts';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { KEYWORD_TYPE, missingSearchAttributes } from '../../services/platform/temporal-connection.ts';

const SERVER_DIR = join(CACHE, 'temporal-server-1.29.1');
export const TEMPORAL_SERVER_BINARY = join(SERVER_DIR, 'server');
const SQL_TOOL = join(SERVER_DIR, 'sql');
const SCHEMA_DIR = join(SERVER_DIR, 'schema');
const UI_BINARY = join(CACHE, 'temporal-ui-2.42.1/server');
/** The server's own role and databases; local use only, like the app's `bookrental` role. */
const DB = { user: 'temporal', password: 'temporal', databases: { persistence: 'temporal', visibility: 'temporal_visibility' } };
const NAMESPACE = 'default';

/** Superuser connection over the PostgreSQL data dir's socket (as postgres.ts does). */
async function asPostgresAdmin<T>(profile: Profile, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: serverDir(profile, 'postgres'), port: portsOf(profile).postgres, user: 'postgres', database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Role and databases, then the schema: set up from version 0.0 once, then updated to the module's newest version. */
async function prepareSchema(profile: Profile): Promise<void> {
  const fresh = await asPostgresAdmin(profile, 'postgres', async (c) => {
    const role = await c.query('select 1 from pg_roles where rolname = $1', [DB.user]);
    if (role.rowCount === 0) await c.query(`create role ${DB.user} login password '${DB.password}'`);
    const created: string[] = [];
    for (const database of Object.values(DB.databases)) {
      const exists = await c.query('select 1 from pg_database where datname = $1', [database]);
      if (exists.rowCount === 0) {
        await c.query(`create database ${database} owner ${DB.user}`);
        created.push(database);
      }
    }
    return created;
  });
  const tool = (database: string, ...command: string[]) =>
    execFileAsync(
      SQL_TOOL,
      [
        '--plugin',
        'postgres12',
        '--ep',
        '127.0.0.1',
        '-p',
        String(portsOf(profile).postgres),
        '-u',
        DB.user,
        '--pw',
        DB.password,
        '--db',
        database,
        ...command,
      ],
      { timeout: 120_000 },
    );
  for (const [kind, database] of [
    ['temporal', DB.databases.persistence],
    ['visibility', DB.databases.visibility],
  ] as const) {
    const hasVersionTable = await asPostgresAdmin(
      profile,
      database,
      async (c) => (await c.query("select to_regclass('public.schema_version') as t")).rows[0].t !== null,
    );
    if (fresh.includes(database) || !hasVersionTable) await tool(database, 'setup-schema', '-v', '0.0');
    await tool(database, 'update-schema', '-d', join(SCHEMA_DIR, kind, 'versioned'));
  }
}

function writeServerConfig(profile: Profile): string {
  const dir = serverDir(profile, 'temporal');
  const p = portsOf(profile);
  const internal = (offset: number) => p.temporalInternal + offset;
  const store = (database: string, conns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "127.0.0.1:${p.postgres}"
        connectProtocol: tcp
        user: ${DB.user}
        password: ${DB.password}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  mkdirSync(join(dir, 'config', 'dynamicconfig'), { recursive: true });
  // The layout of the module's config/development-postgres12.yaml, on the profile's ports.
  writeFileSync(
    join(dir, 'config', 'cluster.yaml'),
    `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:${store(DB.databases.persistence, 20)}
    postgres-visibility:${store(DB.databases.visibility, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  pprof:
    port: 0
services:
  frontend:${service(p.temporal, internal(0), internal(7))}
  history:${service(internal(1), internal(2))}
  matching:${service(internal(3), internal(4))}
  worker:${service(internal(5), internal(6))}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${p.temporal}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${join(dir, 'config', 'dynamicconfig', 'cluster.yaml')}
  pollInterval: 10s
`,
  );
  writeFileSync(
    join(dir, 'config', 'dynamicconfig', 'cluster.yaml'),
    `# Search attributes registered at start-up are usable at once.
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`,
  );
  return dir;
}

async function prepareTemporal(profile: Profile): Promise<void> {
  await prepareSchema(profile);
  writeServerConfig(profile);
}

function startTemporal(profile: Profile, detached: boolean) {
  const dir = serverDir(profile, 'temporal');
  return spawnServer(
    logFile(profile, 'temporal'),
    TEMPORAL_SERVER_BINARY,
    ['--root', dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'],
    { detached, cwd: dir },
  );
}

const cli = (profile: Profile, ...args: string[]) =>
  execFileAsync(TEMPORAL_BINARY, [...args, '--address', `127.0.0.1:${portsOf(profile).temporal}`], { timeout: 15_000 });

async function temporalReady(profile: Profile): Promise<boolean> {
  try {
    await cli(profile, 'operator', 'cluster', 'health');
    return true;
  } catch {
    return false;
  }
}

/** The real server starts with no namespace: the project's, and its search attributes, are registered here. */
async function registerNamespace(profile: Profile): Promise<void> {
  const connection = await Connection.connect({ address: `127.0.0.1:${portsOf(profile).temporal}` });
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    } catch {
      await connection.workflowService.registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('3 days') });
    }
    // A namespace just registered reaches the server's namespace cache within its refresh interval (about 10 s):
    // until then the search-attribute calls answer NOT_FOUND, so they are tried again for a while.
    for (let attempt = 1; ; attempt++) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
        const missing = missingSearchAttributes((customAttributes ?? {}) as Record<string, number>);
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace: NAMESPACE,
            searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD_TYPE])),
          });
        }
        break;
      } catch (error) {
        if ((error as { code?: number }).code !== 5 || attempt >= 60) throw error; // 5: NOT_FOUND
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}

export const temporalServer: ServerDefinition = {
  name: 'temporal',
  installer: 'install-temporal-server.sh',
  commandMarker: TEMPORAL_SERVER_BINARY,
  startTimeoutMs: 180_000,
  prepare: prepareTemporal,
  start: startTemporal,
  ready: temporalReady,
  setUp: registerNamespace,
};

function writeUiConfig(profile: Profile, opts: StartOptions): string {
  const dir = serverDir(profile, 'temporalUi');
  const p = portsOf(profile);
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(
    join(dir, 'config', 'cluster.yaml'),
    `temporalGrpcAddress: "127.0.0.1:${p.temporal}"
host: 127.0.0.1
port: ${p.temporalUi}
enableUi: true
defaultNamespace: ${NAMESPACE}
cors:
  cookieInsecure: true
  allowOrigins: []
  unsafeAllowAllOrigins: false
auth:
  enabled: false
# Payloads are encrypted: the UI decodes them through the API's codec endpoint (README "Security notes"),
# sending the codec session cookie of /codec/login.
codec:
  endpoint: ${opts.codecEndpoint ?? codecEndpointOf(defaultApiPort(profile))}
  passAccessToken: false
  includeCredentials: true
`,
  );
  return dir;
}

export const temporalUi: ServerDefinition = {
  name: 'temporalUi',
  installer: 'install-temporal-server.sh',
  commandMarker: UI_BINARY,
  startTimeoutMs: 60_000,
  start(profile, detached, opts) {
    const dir = writeUiConfig(profile, opts);
    return spawnServer(logFile(profile, 'temporalUi'), UI_BINARY, ['--root', dir, '--config', 'config', '--env', 'cluster', 'start'], {
      detached,
      cwd: dir,
    });
  },
  async ready(profile) {
    try {
      return (await fetch(`http://127.0.0.1:${portsOf(profile).temporalUi}/`)).ok;
    } catch {
      return false;
    }
  },
};

export const temporalServerInstalled = (): boolean => existsSync(TEMPORAL_SERVER_BINARY);
