/** Per-service connection strings: defaults, sharing, and the development passwords refused outside development. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import {
  DATABASE_USERS,
  databaseLayoutProblems,
  databaseUrlOf,
  developmentDatabaseUrls,
  groupOutboxes,
  poolSizeEach,
  relayOutboxUrlOf,
  relayOutboxUrlsOf,
  usesDevelopmentPassword,
} from './service-databases.ts';
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
      // auth's outbox moves with it: the relay reads it there.
      RELAY_AUTH_OUTBOX_URL: 'postgresql://relay:pw@auth-db.example/auth',
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

describe("the relay's outbox URLs (one database per service)", () => {
  const SPLIT = 'postgresql://svc_book:pw@db.example:5432/books';
  const SPLIT_RELAY = 'postgresql://svc_relay:pw@db.example:5432/books';
  const RELAY = 'postgresql://svc_relay:pw@db.example:5432/bookrental';

  it('with one URL for all, one group of every outbox (one pool, one LISTEN, as before)', () => {
    const config = loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'test', RELAY_DATABASE_URL: RELAY });
    expect(groupOutboxes((schema) => relayOutboxUrlOf(config, schema))).toEqual([
      { url: RELAY, schemas: ['auth', 'member', 'book', 'rental'] },
    ]);
    expect(relayOutboxUrlsOf(config)).toEqual({});
  });

  it('an outbox with its own URL is a group of its own; outboxes on one URL share a group', () => {
    const config = loadConfig({
      DATABASE_URL: OWNER,
      NODE_ENV: 'test',
      RELAY_DATABASE_URL: RELAY,
      BOOK_DATABASE_URL: SPLIT,
      RELAY_BOOK_OUTBOX_URL: SPLIT_RELAY,
      MEMBER_DATABASE_URL: 'postgresql://svc_member:pw@db.example:5432/bookrental',
    });
    expect(relayOutboxUrlsOf(config)).toEqual({ book: SPLIT_RELAY });
    expect(groupOutboxes((schema) => relayOutboxUrlOf(config, schema))).toEqual([
      { url: RELAY, schemas: ['auth', 'member', 'rental'] },
      { url: SPLIT_RELAY, schemas: ['book'] },
    ]);
  });

  it("refuses an outbox the relay would read in another database than its service's", () => {
    expect(() => loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'test', BOOK_DATABASE_URL: SPLIT })).toThrow(
      /book's outbox is written in db.example:5432\/books \(BOOK_DATABASE_URL\) but the relay would read it in db.example:5432\/bookrental \(DATABASE_URL\): set RELAY_BOOK_OUTBOX_URL/,
    );
    expect(() =>
      loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'test', RELAY_DATABASE_URL: 'postgresql://svc_relay:pw@elsewhere.example/bookrental' }),
    ).toThrow(/auth's outbox is written in .*\(DATABASE_URL\) but the relay would read it in elsewhere.example:5432\/bookrental/);
    // No password in the message.
    expect(() => loadConfig({ DATABASE_URL: OWNER, NODE_ENV: 'test', BOOK_DATABASE_URL: SPLIT })).not.toThrow(/pw@|owner-secret/);
  });

  it('refuses two relay URLs naming one database with different strings (one LISTEN per database)', () => {
    expect(databaseLayoutProblems({ DATABASE_URL: OWNER, RELAY_DATABASE_URL: RELAY, RELAY_RENTAL_OUTBOX_URL: OWNER })).toEqual([
      'RELAY_DATABASE_URL and RELAY_RENTAL_OUTBOX_URL name the same database db.example:5432/bookrental with different connection strings: give the relay one URL per database',
    ]);
  });

  it("the development relay password is refused outside development in an outbox's URL too", () => {
    expect(() =>
      loadConfig({
        DATABASE_URL: OWNER,
        NODE_ENV: 'production',
        ...secrets,
        BOOK_DATABASE_URL: SPLIT,
        RELAY_BOOK_OUTBOX_URL: 'postgresql://svc_relay:dev-relay-password@db.example:5432/books',
      }),
    ).toThrow(/RELAY_BOOK_OUTBOX_URL carry the public development password/);
  });

  it("the roles step makes the relay's role from an outbox's URL on the database it sets up", () => {
    expect(
      rolesToMake('postgresql://bookrental:owner-secret@db.example:5432/books', {
        BOOK_DATABASE_URL: SPLIT,
        RELAY_BOOK_OUTBOX_URL: SPLIT_RELAY,
      }),
    ).toEqual([
      { user: 'book', role: 'svc_book', password: 'pw' },
      { user: 'relay', role: 'svc_relay', password: 'pw' },
    ]);
  });
});
