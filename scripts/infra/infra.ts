// Installs (when missing) and starts the project's infrastructure on this machine:
// PostgreSQL 15, the Temporal dev server, a single-broker Kafka 3.9.1 (KRaft) and Mailpit (SMTP).
// Used by `npm start` (profile dev), vitest's globalSetup (profile test) and cli.ts.
// Each server's specifics live in postgres.ts, temporal.ts and kafka.ts; their common
// life cycle in server.ts; this file starts, stops and reports on all three by name.
import { databaseUrlOf, postgres } from './postgres.ts';
import { brokersOf, kafka, kafka2, kafka3, topicPolicyOfProfile } from './kafka.ts';
import { mailpit } from './mailpit.ts';
import { portOpen, type Log } from './process-helpers.ts';
import { isCluster, portsOf, SERVERS, serversOf, type Profile, type ServerName } from './profiles.ts';
import * as lifecycle from './server.ts';
import type { ServerDefinition, StartOptions } from './server.ts';
import { temporal } from './temporal.ts';
import { temporalServer, temporalUi } from './temporal-server.ts';
import { DATABASE_URL_KEYS, developmentDatabaseUrls, type DatabaseUrlKey } from '../../services/platform/service-databases.ts';

export { codecEndpointOf, defaultApiPort, isProfile, type Profile, type ServerName } from './profiles.ts';
export { waitFor } from './process-helpers.ts';
export type { StartOptions } from './server.ts';
export { TEMPORAL_BINARY } from './temporal.ts';

export interface InfraEnv extends Partial<Record<DatabaseUrlKey, string>> {
  /** The owner (migrations, operator commands); each service and the relay connect with a role of their own (below). */
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_UI_URL?: string;
  KAFKA_BROKERS: string;
  SMTP_URL: string;
  /** Mailpit's web UI and JSON API (absent when SMTP_URL points elsewhere). */
  MAILPIT_URL?: string;
  /** The cluster profile's topics: three replicas, two in sync (services/platform/kafka-topics.ts). */
  KAFKA_TOPIC_REPLICATION_FACTOR?: string;
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS?: string;
}
export interface RunningInfra {
  env: InfraEnv;
  /** Stops only the servers this call started (reused ones keep running). */
  stop(): Promise<void>;
}

const DEFINITIONS: Record<ServerName, ServerDefinition> = { postgres, temporal, kafka, kafka2, kafka3, temporalUi, mailpit };
/** The cluster profile runs the real Temporal server where the others run the dev server. */
const definitionOf = (profile: Profile, server: ServerName): ServerDefinition =>
  isCluster(profile) && server === 'temporal' ? temporalServer : DEFINITIONS[server];

/**
 * Makes sure one server of the profile is installed, running and ready.
 * Returns true when this call started it, false when a running one was reused.
 */
export const startServer = (profile: Profile, server: ServerName, opts: StartOptions = {}): Promise<boolean> =>
  lifecycle.startServer(profile, definitionOf(profile, server), opts);

/** Stops one server of the profile by its pid file (no-op when not running). */
export const stopServer = (profile: Profile, server: ServerName): Promise<void> =>
  lifecycle.stopServer(profile, definitionOf(profile, server));

/** Crashes one server of the profile: SIGKILL (PostgreSQL: immediate shutdown, which kills its backends at once). */
export const crashServer = (profile: Profile, server: ServerName): Promise<void> =>
  lifecycle.crashServer(profile, definitionOf(profile, server));

/** Stop then start one server, e.g. for fault-injection tests. Started detached, so it outlives a test worker. */
export async function restartServer(profile: Profile, server: ServerName, opts: { log?: Log } = {}): Promise<void> {
  await stopServer(profile, server);
  await startServer(profile, server, { log: opts.log, detached: true });
}

export function infraEnv(profile: Profile): InfraEnv {
  const p = portsOf(profile);
  const databaseUrl = process.env.DATABASE_URL ?? databaseUrlOf(profile);
  // Every profile runs each service on its own role (scripts/db/roles.ts makes them); a URL given by the environment wins,
  // and with a DATABASE_URL of someone else's server only the service URLs given by the environment are used.
  const roles: Partial<Record<DatabaseUrlKey, string>> = process.env.DATABASE_URL ? {} : developmentDatabaseUrls(databaseUrl);
  const serviceUrls = Object.fromEntries(
    DATABASE_URL_KEYS.flatMap((key) => {
      const url = process.env[key] ?? roles[key];
      return url ? [[key, url]] : [];
    }),
  ) as Partial<Record<DatabaseUrlKey, string>>;
  return {
    DATABASE_URL: databaseUrl,
    ...serviceUrls,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${p.temporal}`,
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_UI_URL: process.env.TEMPORAL_ADDRESS ? process.env.TEMPORAL_UI_URL : `http://127.0.0.1:${p.temporalUi}`,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? brokersOf(profile),
    SMTP_URL: process.env.SMTP_URL ?? `smtp://127.0.0.1:${p.mailpitSmtp}`,
    MAILPIT_URL: process.env.SMTP_URL ? process.env.MAILPIT_URL : `http://127.0.0.1:${p.mailpit}`,
    ...(isCluster(profile)
      ? {
          KAFKA_TOPIC_REPLICATION_FACTOR: String(topicPolicyOfProfile(profile).replicationFactor),
          KAFKA_TOPIC_MIN_INSYNC_REPLICAS: String(topicPolicyOfProfile(profile).minInSyncReplicas),
        }
      : {}),
  };
}

/** Servers to manage: one whose address is given by the environment is someone else's. */
function managedServers(profile: Profile): ServerName[] {
  const override: Record<ServerName, string> = {
    postgres: 'DATABASE_URL',
    temporal: 'TEMPORAL_ADDRESS',
    temporalUi: 'TEMPORAL_ADDRESS',
    kafka: 'KAFKA_BROKERS',
    kafka2: 'KAFKA_BROKERS',
    kafka3: 'KAFKA_BROKERS',
    mailpit: 'SMTP_URL',
  };
  return serversOf(profile).filter((s) => !process.env[override[s]]);
}

/**
 * Whether a failed start is the Kafka cluster not forming: every broker up and answering, yet
 * one never registered with the controllers within the wait (seen once in a few dozen cold
 * starts of three brokers on two loaded cores). Its servers are stopped by then.
 */
export function clusterDidNotForm(error: unknown): boolean {
  return (
    error instanceof AggregateError &&
    error.errors.length > 0 &&
    error.errors.every((inner) => inner instanceof Error && /fewer than KAFKA_TOPIC_REPLICATION_FACTOR/.test(inner.message))
  );
}

/**
 * Starts every server the profile manages. A cluster whose brokers did not all register is
 * started once more (same data, new JVMs), with a line saying so; a second failure is reported.
 */
export async function startInfrastructure(opts: StartOptions & { profile: Profile }): Promise<RunningInfra> {
  try {
    return await startInfrastructureOnce(opts);
  } catch (error) {
    if (!isCluster(opts.profile) || !clusterDidNotForm(error)) throw error;
    opts.log?.(`the Kafka cluster did not form (${(error as Error).message}); starting its servers once more`);
    return await startInfrastructureOnce(opts);
  }
}

async function startInfrastructureOnce(opts: StartOptions & { profile: Profile }): Promise<RunningInfra> {
  const { profile } = opts;
  const servers = managedServers(profile);
  // Install and start them in parallel; the slow parts (builds, JVM, initdb) don't depend on each other.
  // The cluster's Temporal keeps its data in PostgreSQL, so there PostgreSQL comes first.
  const first: ServerName[] = isCluster(profile) && servers.includes('postgres') ? ['postgres'] : [];
  const firstResults = await Promise.allSettled(first.map((s) => startServer(profile, s, opts)));
  const rest = servers.filter((s) => !first.includes(s));
  const restResults = firstResults.every((r) => r.status === 'fulfilled')
    ? await Promise.allSettled(rest.map((s) => startServer(profile, s, opts)))
    : rest.map(() => ({ status: 'fulfilled', value: false }) as const);
  const results = [...firstResults, ...restResults];
  servers.splice(0, servers.length, ...first, ...rest);
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
    serversOf(profile).map(async (s) => {
      const port = portsOf(profile)[s];
      return [s, { pid: lifecycle.runningPid(profile, definitionOf(profile, s)), port, listening: await portOpen(port) }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ServerName, { pid?: number; port: number; listening: boolean }>;
}
