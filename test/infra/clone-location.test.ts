/**
 * A clone where the `postgres` OS user cannot go (a private `mktemp -d` folder,
 * like root's 0700 home): PostgreSQL's data dir moves under that user's home,
 * keyed by the clone's path, and initdb and the server work from there. Runs the
 * clone's own scripts/infra code in a child process, as `npm start` would.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { canEnter, postgresOsUser } from '../../scripts/infra/postgres-data-dir.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const PROFILE = process.env.TEST_PROFILE ?? 'test';
const isRoot = process.getuid?.() === 0;
let privateDir: string | undefined;
let dataDir: string | undefined;

afterAll(() => {
  if (dataDir) rmSync(resolve(dataDir, '..'), { recursive: true, force: true }); // the clone's folder under the postgres home
  if (privateDir) rmSync(privateDir, { recursive: true, force: true });
});

// What the child runs inside the clone: initdb through the project's code, then the server on a unix socket
// only (no TCP port, so it cannot collide with the profile's running server), a query, and a clean stop.
const CHILD = `
(async () => {
  const { postgres } = await import('./scripts/infra/postgres.ts');
  const { serverDir, portsOf } = await import('./scripts/infra/profiles.ts');
  const { execFileSync } = await import('node:child_process');
  const pg = (await import('pg')).default;
  const profile = process.env.PROFILE;
  const dir = serverDir(profile, 'postgres');
  await postgres.prepare(profile);
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  const asPostgres = { uid: id('-u'), gid: id('-g'), cwd: dir, encoding: 'utf8' };
  const opts = "-c listen_addresses='' -c unix_socket_directories=" + dir + ' -c port=' + portsOf(profile).postgres;
  execFileSync('/usr/lib/postgresql/15/bin/pg_ctl', ['start', '-D', dir, '-w', '-t', '60', '-l', dir + '/check.log', '-o', opts], asPostgres);
  try {
    const client = new pg.Client({ host: dir, port: portsOf(profile).postgres, user: 'postgres', database: 'postgres' });
    await client.connect();
    const { rows } = await client.query('select current_setting($1) as data', ['data_directory']);
    await client.end();
    console.log(JSON.stringify({ dir, data: rows[0].data }));
  } finally {
    execFileSync('/usr/lib/postgresql/15/bin/pg_ctl', ['stop', '-D', dir, '-m', 'fast', '-w'], asPostgres);
  }
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('a clone the postgres OS user cannot enter', () => {
  it.runIf(isRoot)('initialises and runs PostgreSQL with its data under the postgres home', { timeout: 120_000 }, async () => {
    const user = postgresOsUser();
    expect(user, 'the postgres OS user (Debian package) exists').toBeDefined();
    privateDir = mkdtempSync(join(tmpdir(), 'private-clone-'));
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    const clone = join(privateDir, 'book-rental-sagas');
    cpSync(join(REPO, 'scripts'), join(clone, 'scripts'), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(clone, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    expect(canEnter(join(clone, '.data'), user!)).toBe(false);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', CHILD], {
      cwd: clone,
      env: { ...process.env, PROFILE },
      timeout: 110_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { dir: string; data: string };
    dataDir = result.dir;
    expect(result.dir.startsWith(join(user!.home, 'book-rental-sagas'))).toBe(true);
    expect(result.dir.endsWith(`/${PROFILE}`)).toBe(true);
    expect(result.data).toBe(result.dir);
    expect(existsSync(join(clone, '.data', PROFILE, 'postgres'))).toBe(false);
  });
});
