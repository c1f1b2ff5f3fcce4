/**
 * One connection string, and so one PostgreSQL role, per service. Each
 * service's role reaches only its own schema (scripts/db/roles.ts grants it),
 * so a query into another service's tables fails at run time with
 * "permission denied". Each URL defaults to DATABASE_URL: one URL for all
 * keeps working (everyone is the owner then). Pointing a service's URL at
 * another database moves that service there and changes nothing else.
 */
import { createDb, type Db } from './db.ts';
import { OUTBOX_SCHEMAS, type OutboxSchema } from './outbox.ts';

/** The services that own a schema, in the order of prisma/schema/base.prisma. */
export const SERVICE_SCHEMAS = ['auth', 'member', 'book', 'rental', 'partner', 'bestbook', 'notifications'] as const;
export type ServiceSchema = (typeof SERVICE_SCHEMAS)[number];

/** Who connects with a role of its own: every service, and the relay (the outbox tables of every service, nothing else). */
export const DATABASE_USERS = [...SERVICE_SCHEMAS, 'relay'] as const;
export type DatabaseUser = (typeof DATABASE_USERS)[number];

export const databaseUrlKey = (user: DatabaseUser) => `${user.toUpperCase() as Uppercase<DatabaseUser>}_DATABASE_URL` as const;
export type DatabaseUrlKey = ReturnType<typeof databaseUrlKey>;
export const DATABASE_URL_KEYS = DATABASE_USERS.map(databaseUrlKey);

/** The role the project's own profiles (dev, test, cluster) create for a user, and its public development password. */
export const developmentRoleOf = (user: DatabaseUser) => ({ role: `svc_${user}`, password: `dev-${user}-password` });

/** The relay's connection to one service's outbox (`RELAY_BOOK_OUTBOX_URL`), for an outbox that lives in a database of its own. */
export const relayOutboxUrlKey = (schema: OutboxSchema) => `RELAY_${schema.toUpperCase() as Uppercase<OutboxSchema>}_OUTBOX_URL` as const;
export type RelayOutboxUrlKey = ReturnType<typeof relayOutboxUrlKey>;
export const RELAY_OUTBOX_URL_KEYS = OUTBOX_SCHEMAS.map(relayOutboxUrlKey);

type UrlConfig = { DATABASE_URL: string } & Partial<Record<DatabaseUrlKey | RelayOutboxUrlKey, string>>;

/** The connection string a service (or the relay) uses: its own, else DATABASE_URL. */
export function databaseUrlOf(config: UrlConfig, user: DatabaseUser): string {
  return config[databaseUrlKey(user)] ?? config.DATABASE_URL;
}

/** The variable a user's URL comes from. */
const databaseUrlSource = (config: UrlConfig, user: DatabaseUser) =>
  config[databaseUrlKey(user)] === undefined ? 'DATABASE_URL' : databaseUrlKey(user);

/** Where the relay reads one outbox: RELAY_<SCHEMA>_OUTBOX_URL, else RELAY_DATABASE_URL, else DATABASE_URL. */
export function relayOutboxUrlOf(config: UrlConfig, schema: OutboxSchema): string {
  return config[relayOutboxUrlKey(schema)] ?? databaseUrlOf(config, 'relay');
}

const relayOutboxUrlSource = (config: UrlConfig, schema: OutboxSchema) =>
  config[relayOutboxUrlKey(schema)] === undefined ? databaseUrlSource(config, 'relay') : relayOutboxUrlKey(schema);

/** The relay's outbox URLs that differ from its RELAY_DATABASE_URL (what startRelay takes as `outboxUrls`). */
export function relayOutboxUrlsOf(config: UrlConfig): Partial<Record<OutboxSchema, string>> {
  const base = databaseUrlOf(config, 'relay');
  return Object.fromEntries(
    OUTBOX_SCHEMAS.map((schema) => [schema, relayOutboxUrlOf(config, schema)] as const).filter(([, url]) => url !== base),
  );
}

/**
 * The outboxes grouped by the connection string they are read through, in
 * OUTBOX_SCHEMAS order: the relay opens one pool and one LISTEN per group. With
 * one URL for all, one group of every outbox.
 */
export function groupOutboxes(urlOf: (schema: OutboxSchema) => string): { url: string; schemas: OutboxSchema[] }[] {
  const groups = new Map<string, OutboxSchema[]>();
  for (const schema of OUTBOX_SCHEMAS) {
    const url = urlOf(schema);
    groups.set(url, [...(groups.get(url) ?? []), schema]);
  }
  return [...groups].map(([url, schemas]) => ({ url, schemas }));
}

/** A database as the URL names it, without credentials: `host:port/name`. */
export function databaseOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${decodeURIComponent(parsed.pathname)}`;
}

/**
 * What a layout of databases gets wrong, in words naming the variables (no
 * password): an outbox the relay reads in another database than the one its
 * service writes (its events would never leave), and two relay URLs that name
 * one database with different strings (one LISTEN per database). Databases are
 * compared by host, port and name as written.
 */
export function databaseLayoutProblems(config: UrlConfig): string[] {
  const problems: string[] = [];
  for (const schema of OUTBOX_SCHEMAS) {
    const written = databaseUrlOf(config, schema);
    const read = relayOutboxUrlOf(config, schema);
    if (databaseOf(written) !== databaseOf(read))
      problems.push(
        `${schema}'s outbox is written in ${databaseOf(written)} (${databaseUrlSource(config, schema)}) but the relay would read it in ${databaseOf(read)} (${relayOutboxUrlSource(config, schema)}): set ${relayOutboxUrlKey(schema)} to a URL of the relay's role on ${databaseOf(written)}`,
      );
  }
  const groups = groupOutboxes((schema) => relayOutboxUrlOf(config, schema));
  for (const [index, group] of groups.entries()) {
    const twin = groups.slice(index + 1).find((other) => databaseOf(other.url) === databaseOf(group.url));
    if (twin)
      problems.push(
        `${relayOutboxUrlSource(config, group.schemas[0]!)} and ${relayOutboxUrlSource(config, twin.schemas[0]!)} name the same database ${databaseOf(group.url)} with different connection strings: give the relay one URL per database`,
      );
  }
  return problems;
}

/** Every user's URL on the owner's server and database, with its development role: what the dev, test and cluster profiles use. */
export function developmentDatabaseUrls(ownerUrl: string): Record<DatabaseUrlKey, string> {
  return Object.fromEntries(
    DATABASE_USERS.map((user) => {
      const url = new URL(ownerUrl);
      const { role, password } = developmentRoleOf(user);
      url.username = role;
      url.password = password;
      return [databaseUrlKey(user), url.toString()];
    }),
  ) as Record<DatabaseUrlKey, string>;
}

/** A URL that carries a user's public development password (refused outside development and test). */
export function usesDevelopmentPassword(url: string | undefined, user: DatabaseUser): boolean {
  if (!url) return false;
  try {
    return decodeURIComponent(new URL(url).password) === developmentRoleOf(user).password;
  } catch {
    return false;
  }
}

export type ServiceDbs<S extends ServiceSchema = ServiceSchema> = Record<S, Db> & {
  /** Connections each client may open. */
  poolSize: number;
  /** Disconnects every client once (services on one URL share a client). */
  disconnect(): Promise<void>;
};

/** Each client's share of a process's `total` connections: at least 3, so no service waits behind a single slow query. */
export const poolSizeEach = (total: number, clients: number): number => (clients <= 1 ? total : Math.max(3, Math.ceil(total / clients)));

/**
 * One client per distinct URL among the services a process hosts. The
 * process's `poolSize` (DATABASE_POOL_SIZE) is shared among them, at least 3
 * each, opened on demand: on one URL, one pool of `poolSize` as before; the
 * api's seven roles with the default 10 hold at most 7 × 3.
 */
export function createServiceDbs<S extends ServiceSchema>(config: UrlConfig, services: readonly S[], poolSize: number): ServiceDbs<S> {
  const urls = new Set(services.map((service) => databaseUrlOf(config, service)));
  const each = poolSizeEach(poolSize, urls.size);
  const byUrl = new Map<string, Db>();
  const dbs = {} as Record<S, Db>;
  for (const service of services) {
    const url = databaseUrlOf(config, service);
    let db = byUrl.get(url);
    if (!db) {
      db = createDb(url, each);
      byUrl.set(url, db);
    }
    dbs[service] = db;
  }
  return Object.assign(dbs, {
    poolSize: each,
    async disconnect() {
      await Promise.all([...byUrl.values()].map((db) => db.$disconnect()));
    },
  });
}

/** The distinct clients of a set (for start-up checks: each connection string is checked once). */
export function distinctDbs(dbs: Partial<Record<ServiceSchema, Db>>): Db[] {
  return [...new Set(SERVICE_SCHEMAS.map((service) => dbs[service]).filter((db): db is Db => db !== undefined))];
}
