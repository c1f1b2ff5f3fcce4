/**
 * Where a profile's PostgreSQL data lives. PostgreSQL refuses to run as root,
 * so as root it runs as the `postgres` OS user, which must be able to enter
 * every directory above its data dir. A clone in root's home (0700) or in a
 * private `mktemp -d` folder is out of its reach; then the data goes under the
 * postgres user's own home instead, keyed by the clone's path and the profile,
 * so clones and profiles never share a server. Nothing else changes: logs and
 * the other servers stay in the clone's `.data/<profile>/`.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface OsUser {
  uid: number;
  gid: number;
  home: string;
}

/** The `postgres` OS user (created by Debian's package), or undefined when there is none. */
export function postgresOsUser(): OsUser | undefined {
  try {
    const [, , uid, gid, , home] = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim().split(':');
    return { uid: Number(uid), gid: Number(gid), home: home! };
  } catch {
    return undefined;
  }
}

/** True when `user` may enter `dir` and every directory above it (the x bit for owner, group or others). */
export function canEnter(dir: string, user: OsUser): boolean {
  for (let current = dir; ; current = dirname(current)) {
    let stat: Stats;
    try {
      stat = statSync(current);
    } catch {
      // Not there yet: it will be created by root with mode 0755, which anyone may enter.
      if (current === dirname(current)) return true;
      continue;
    }
    const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
    if (current === dirname(current)) return true;
  }
}

/**
 * The data dir: `<clone>/.data/<profile>/postgres` when the server's OS user can reach it
 * (always when not root), else `<postgres home>/book-rental-sagas/<clone name>-<hash of its path>/<profile>`.
 */
export function postgresDataDir(repo: string, profile: string, isRoot = process.getuid?.() === 0): string {
  const inClone = join(repo, '.data', profile, 'postgres');
  if (!isRoot) return inClone;
  const user = postgresOsUser();
  if (!user || canEnter(inClone, user)) return inClone; // no postgres user yet: the installer creates it; initdb explains if it still fails
  const key = `${basename(repo)}-${createHash('sha256').update(repo).digest('hex').slice(0, 12)}`;
  const outside = join(user.home, 'book-rental-sagas', key, profile);
  if (!canEnter(outside, user)) {
    throw new Error(
      `the postgres OS user can enter neither ${inClone} nor ${outside}: ` +
        `give it access to one of them (chmod o+x on each parent directory) or clone the repository somewhere it can read`,
    );
  }
  return outside;
}
