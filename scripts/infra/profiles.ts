// Where each profile's servers live: their ports and their data, log and pid files.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresDataDir } from './postgres-data-dir.ts';

/**
 * `dev`, `test`, or `test<N>`: an extra test stack (ports + N*100) so parallel suites never share servers;
 * `cluster`: the production topology on one machine (three Kafka brokers, the Temporal server on
 * PostgreSQL with its own web UI, every app process doubled), on ports of its own (10xxx).
 */
export type Profile = 'dev' | 'test' | `test${number}` | 'cluster';
/** kafka2, kafka3 and temporalUi run as servers of their own in the cluster profile only. */
export type ServerName = 'postgres' | 'temporal' | 'kafka' | 'mailpit' | 'kafka2' | 'kafka3' | 'temporalUi';
const SINGLE_NODE_SERVERS: ServerName[] = ['postgres', 'temporal', 'kafka', 'mailpit'];
const CLUSTER_SERVERS: ServerName[] = ['postgres', 'temporal', 'temporalUi', 'kafka', 'kafka2', 'kafka3', 'mailpit'];
export const isCluster = (profile: Profile): boolean => profile === 'cluster';
export const serversOf = (profile: Profile): ServerName[] => (isCluster(profile) ? CLUSTER_SERVERS : SINGLE_NODE_SERVERS);
/** Every server any profile may run (for stopping by pid file). */
export const SERVERS: ServerName[] = CLUSTER_SERVERS;

const NONE = { kafka2: 0, kafka2Controller: 0, kafka3: 0, kafka3Controller: 0, temporalInternal: 0 };
const BASE_PORTS = {
  // mailpit: its web UI and JSON API; mailpitSmtp: its SMTP port.
  dev: { postgres: 15432, temporal: 7233, temporalUi: 8233, kafka: 9092, kafkaController: 9093, mailpit: 8025, mailpitSmtp: 1025, ...NONE },
  test: {
    postgres: 15433,
    temporal: 7243,
    temporalUi: 8243,
    kafka: 9094,
    kafkaController: 9095,
    mailpit: 8026,
    mailpitSmtp: 1026,
    ...NONE,
  },
  // temporalInternal: the first of the server's other ports (history, matching, worker, membership, http): +0..+9
  cluster: {
    postgres: 10432,
    temporal: 10233,
    temporalUi: 10280,
    kafka: 10192,
    kafkaController: 10195,
    kafka2: 10292,
    kafka2Controller: 10295,
    kafka3: 10392,
    kafka3Controller: 10395,
    temporalInternal: 10240,
    mailpit: 10825,
    mailpitSmtp: 10025,
  },
} as const;
export type Ports = Record<keyof (typeof BASE_PORTS)['dev'], number>;

export function isProfile(value: string): value is Profile {
  return /^(dev|test|test[1-9]|cluster)$/.test(value);
}

export function portsOf(profile: Profile): Ports {
  if (profile === 'dev' || profile === 'test' || profile === 'cluster') return BASE_PORTS[profile];
  const offset = Number(profile.slice(4)) * 100;
  const base = BASE_PORTS.test;
  return {
    postgres: base.postgres + offset,
    temporal: base.temporal + offset,
    temporalUi: base.temporalUi + offset,
    kafka: base.kafka + offset,
    kafkaController: base.kafkaController + offset,
    mailpit: base.mailpit + offset,
    mailpitSmtp: base.mailpitSmtp + offset,
    ...NONE,
  };
}

/** The API port each profile's app processes use by default: 3000 (dev), 3100 (test), 3100 + 10*N (testN), 10300 (cluster; its second API on 10310). */
export function defaultApiPort(profile: Profile): number {
  if (profile === 'dev') return 3000;
  if (profile === 'cluster') return 10300;
  return 3100 + 10 * Number(profile.slice(4) || 0);
}

/** Where the Temporal UI asks the API to decode payloads (the remote codec endpoint, see services/platform/http/codec-routes.ts). */
export const codecEndpointOf = (apiPort: number): string => `http://127.0.0.1:${apiPort}/codec`;

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Installed tools, outside the clone so later runs and fresh clones reuse them. */
export const CACHE = join(homedir(), '.cache/book-rental-sagas');

const dataDir = (profile: Profile) => join(REPO, '.data', profile);
const dataDirs = new Map<Profile, string>();
/** A server's data dir; PostgreSQL's moves out of the clone when its OS user cannot reach the clone (postgres-data-dir.ts). */
export const serverDir = (profile: Profile, server: ServerName): string => {
  if (server !== 'postgres') return join(dataDir(profile), server);
  if (!dataDirs.has(profile)) dataDirs.set(profile, postgresDataDir(REPO, profile));
  return dataDirs.get(profile)!;
};
export const logFile = (profile: Profile, server: ServerName) => join(dataDir(profile), 'logs', `${server}.log`);
