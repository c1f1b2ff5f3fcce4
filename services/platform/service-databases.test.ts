/** Per-service connection strings: defaults, sharing, and the development passwords refused outside development. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DATABASE_USERS, databaseUrlOf, developmentDatabaseUrls, poolSizeEach, usesDevelopmentPassword } from './service-databases.ts';
import { grantsOf, rolesToMake } from '../../scripts/db/roles.ts';

const OWNER = 'postgresql://bookrental:owner-secret@db.example:5432/bookrental';
const secrets = {
  JWT_SECRET: 'x'.repeat(40),
  ADMIN_PASSWORD: 'a-real-password',
  TEMPORAL_CODEC_KEYS: `prod:${Buffer.alloc(32, 7).toString('base64')}`,
};

describe('per-service database URLs', () => {
  it('default to DATABASE_URL, so one URL keeps working', () => {
    const config = loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'test' });
    for (const user of DATABASE_USERS) expect(databaseUrlOf(config, user)).toBe(OWNER);
    expect(rolesToMake(OWNER, {})).toEqual([]);
  });

  it("each service uses its own when set; another database is the operator's to set up", () => {
    const env = {
      DATABASE_URL: OWNER,
      NODE_ENV: 'test',
      RENTAL_DATABASE_URL: 'postgresql://svc_rental:pw@db.example:5432/bookrental',
      AUTH_DATABASE_URL: 'postgresql://auth:pw@auth-db.example/auth',
    };
    const config = loadConfig(env);
    expect(databaseUrlOf(config, 'rental')).toBe('postgresql://svc_rental:pw@db.example:5432/bookrental');
    expect(databaseUrlOf(config, 'auth')).toBe('postgresql://auth:pw@auth-db.example/auth');
    expect(databaseUrlOf(config, 'book')).toBe(OWNER);
    // Only the role on the owner's database is made by the project's roles step.
    expect(rolesToMake(OWNER, env)).toEqual([{ user: 'rental', role: 'svc_rental', password: 'pw' }]);
  });

  it('refuses a malformed URL', () => {
    expect(() => loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'test', BOOK_DATABASE_URL: 'not a url' })).toThrow(/BOOK_DATABASE_URL/);
  });

  it('the development passwords are accepted in development and test only', () => {
    const urls = developmentDatabaseUrls(OWNER);
    expect(new URL(urls.AUTH_DATABASE_URL).username).toBe('svc_auth');
    expect(usesDevelopmentPassword(urls.RELAY_DATABASE_URL, 'relay')).toBe(true);
    expect(() => loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'development', ...urls })).not.toThrow();
    expect(() => loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'production', ...secrets, ...urls })).toThrow(
      /AUTH_DATABASE_URL.*RELAY_DATABASE_URL carry the public development password/,
    );
    expect(() =>
      loadConfig({
        DATABASE_URL: OWNER,
        NODE_ENV: 'production',
        ...secrets,
        AUTH_DATABASE_URL: 'postgresql://svc_auth:real@db.example/bookrental',
      }),
    ).not.toThrow();
  });

  it("grants each service its own schema only, notifications auth's address function, the relay the outboxes only", () => {
    const schemasIn = (statements: string[]) =>
      [...new Set(statements.flatMap((sql) => [...sql.matchAll(/SCHEMA "(\w+)"|ON "(\w+)"\./g)].map((m) => m[1] ?? m[2])))].sort();
    expect(schemasIn(grantsOf('book', 'svc_book'))).toEqual(['book']);
    expect(schemasIn(grantsOf('rental', 'svc_rental'))).toEqual(['rental']);
    expect(schemasIn(grantsOf('member', 'svc_member').filter((sql) => sql.startsWith('GRANT')))).toEqual(['member']);
    // The USAGE on auth member's role had while its profile named auth's Role type is taken back.
    expect(grantsOf('member', 'svc_member').filter((sql) => sql.includes('"auth"'))).toEqual([
      'REVOKE USAGE ON SCHEMA "auth" FROM svc_member',
    ]);
    expect(grantsOf('notifications', 'svc_notifications')).toContain(
      'GRANT EXECUTE ON FUNCTION "auth".member_mail_address(uuid) TO svc_notifications',
    );
    expect(
      grantsOf('notifications', 'svc_notifications').some((sql) => /ON (ALL TABLES IN SCHEMA )?"auth"/.test(sql) && /SELECT/.test(sql)),
    ).toBe(false);
    const relay = grantsOf('relay', 'svc_relay');
    expect(
      relay
        .filter((sql) => /SELECT|UPDATE|DELETE/.test(sql) && !sql.includes('_prisma_migrations'))
        .every((sql) => /ON "\w+"\.outbox TO/.test(sql)),
    ).toBe(true);
  });
});

describe('pool sizes', () => {
  it('one URL keeps one pool of DATABASE_POOL_SIZE; several share it, at least 3 each', () => {
    expect(poolSizeEach(10, 1)).toBe(10);
    expect(poolSizeEach(10, 4)).toBe(3);
    expect(poolSizeEach(10, 7)).toBe(3);
    expect(poolSizeEach(40, 4)).toBe(10);
  });
});
