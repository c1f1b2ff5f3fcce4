/** Every profile the project starts (dev, test, cluster) runs each service on its own role: the URLs the processes get. */
import { afterEach, describe, expect, it } from 'vitest';
import { infraEnv } from './infra.ts';
import { rolesToMake } from '../db/roles.ts';
import { DATABASE_USERS, databaseUrlKey } from '../../services/platform/service-databases.ts';
import { loadConfig } from '../../services/platform/config.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("per-service roles in the project's profiles", () => {
  it.each(['dev', 'test8', 'cluster'] as const)("%s: a role per service and for the relay, on the profile's own database", (profile) => {
    for (const key of ['DATABASE_URL', ...DATABASE_USERS.map(databaseUrlKey)]) delete process.env[key];
    const env = infraEnv(profile);
    const roles = rolesToMake(env.DATABASE_URL, { ...env });
    expect(roles.map((entry) => entry.role)).toEqual(DATABASE_USERS.map((user) => `svc_${user}`));
    for (const user of DATABASE_USERS) expect(new URL(env[databaseUrlKey(user)]!).port).toBe(new URL(env.DATABASE_URL).port);
    // The processes accept them (development passwords, NODE_ENV=test as under npm test).
    expect(() => loadConfig({ ...env, NODE_ENV: 'test' } as Record<string, string>)).not.toThrow();
  });

  it("a DATABASE_URL of someone else's server: only the service URLs given with it", () => {
    process.env.DATABASE_URL = 'postgresql://owner:pw@db.example/app';
    process.env.BOOK_DATABASE_URL = 'postgresql://book:pw@db.example/app';
    const env = infraEnv('dev');
    expect(env.BOOK_DATABASE_URL).toBe('postgresql://book:pw@db.example/app');
    expect(env.AUTH_DATABASE_URL).toBeUndefined();
  });
});
