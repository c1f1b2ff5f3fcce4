// PostgreSQL 15 from Debian's package, with a data dir of its own per profile.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { execFileAsync, kill, spawnServer } from './process-helpers.ts';
import { logFile, portsOf, serverDir, type Profile } from './profiles.ts';
import { STOP_TIMEOUT_MS, type ServerDefinition } from './server.ts';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const DB = { user: 'bookrental', password: 'bookrental', database: 'bookrental' };

/** The project's database on the profile's server, as the app processes reach it (over TCP, with a password). */
export const databaseUrlOf = (profile: Profile): string =>
  `postgresql://${DB.user}:${DB.password}@127.0.0.1:${portsOf(profile).postgres}/${DB.database}`;

const isRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root, so as root its programs run as the `postgres` OS user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

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

function startPostgres(profile: Profile, detached: boolean) {
  const dir = serverDir(profile, 'postgres');
  const args = [
    '-D',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `port=${portsOf(profile).postgres}`,
    '-c',
    `unix_socket_directories=${dir}`, // not /var/run/postgresql, which may not exist or be shared
    '-c',
    'max_connections=200',
  ];
  return spawnServer(logFile(profile, 'postgres'), `${PG_BIN}/postgres`, args, { detached, cwd: dir, user: postgresUser() });
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

async function ensureDatabase(profile: Profile): Promise<void> {
  await withPostgresAdmin(profile, async (c) => {
    const role = await c.query('select 1 from pg_roles where rolname = $1', [DB.user]);
    // CREATEDB so tools like `prisma migrate dev` can create a shadow database; CREATEROLE so it makes the
    // per-service roles after the migrations (scripts/db/roles.ts). A data directory from before gets it too.
    if (role.rowCount === 0) await c.query(`create role ${DB.user} login createdb createrole password '${DB.password}'`);
    else await c.query(`alter role ${DB.user} createrole`);
    const db = await c.query('select 1 from pg_database where datname = $1', [DB.database]);
    if (db.rowCount === 0) await c.query(`create database ${DB.database} owner ${DB.user}`);
  });
}

export const postgres: ServerDefinition = {
  name: 'postgres',
  installer: 'install-postgres.sh',
  commandMarker: `${PG_BIN}/postgres`,
  ownPidFile: 'postmaster.pid',
  startTimeoutMs: 60_000,
  prepare: preparePostgres,
  start: startPostgres,
  ready: (profile) => withPostgresAdmin(profile, async (c) => (await c.query('select 1')).rowCount === 1).catch(() => false),
  setUp: ensureDatabase,
  /** Immediate shutdown: every backend is killed at once, nothing is flushed; the next start runs crash recovery. */
  async crash(profile, pid) {
    const dir = serverDir(profile, 'postgres');
    await execFileAsync(`${PG_BIN}/pg_ctl`, ['stop', '-D', dir, '-m', 'immediate', '-w', '-t', '30'], {
      cwd: dir,
      ...postgresUser(),
    }).catch(() => kill(pid, 'SIGKILL'));
  },
  async requestStop(profile, pid) {
    const dir = serverDir(profile, 'postgres');
    // fast = roll back open transactions and shut down cleanly (no crash recovery at next start)
    await execFileAsync(`${PG_BIN}/pg_ctl`, ['stop', '-D', dir, '-m', 'fast', '-w', '-t', String(STOP_TIMEOUT_MS / 1000)], {
      cwd: dir,
      ...postgresUser(),
    }).catch(() => kill(pid, 'SIGKILL'));
  },
};
