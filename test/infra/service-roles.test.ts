/**
 * Each service's PostgreSQL role against the stack's real database: it reads
 * and writes its own schema, and a query into another service's table fails
 * at run time with "permission denied" (42501). The notifications role gets an
 * address only through auth's function; the relay's role reaches the outbox
 * tables only. The running processes are connected as these roles, and the
 * roles step runs again without harm.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServiceRoles } from '../../scripts/db/roles.ts';
import {
  DATABASE_USERS,
  databaseUrlKey,
  SERVICE_SCHEMAS,
  type DatabaseUser,
  type ServiceSchema,
} from '../../services/platform/service-databases.ts';
import { api, eventually, logIn, signUp, stack } from '../support/api.ts';
import { asAdmin, giveBack, newBook, rent } from '../support/library.ts';

/** One table of each schema. */
const TABLE: Record<ServiceSchema, string> = {
  auth: 'auth.credential',
  member: 'member.profile',
  book: 'book.book',
  rental: 'rental.rental_card',
  partner: 'partner.partner_summary',
  bestbook: 'bestbook.book_rent_count',
  notifications: 'notifications.notice',
};

const pools = new Map<DatabaseUser, pg.Pool>();
const as = (user: DatabaseUser) => pools.get(user)!;
let owner: pg.Pool;

/** The SQLSTATE a query fails with, or 'ok'. */
async function outcome(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await pool.query(sql, params);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

beforeAll(async () => {
  owner = new pg.Pool({ connectionString: stack().databaseUrl, max: 1 });
  for (const user of DATABASE_USERS) {
    const url = stack().serviceDatabaseUrls[databaseUrlKey(user)];
    expect(url, `${databaseUrlKey(user)} of the stack`).toBeDefined();
    expect(url).not.toBe(stack().databaseUrl);
    pools.set(user, new pg.Pool({ connectionString: url, max: 1 }));
  }
});
afterAll(async () => {
  await Promise.all([...pools.values()].map((pool) => pool.end()));
  await owner.end();
});

describe('per-service roles', () => {
  it('the table names are real (the owner reads each)', async () => {
    for (const table of Object.values(TABLE)) expect(await outcome(owner, `SELECT 1 FROM ${table} LIMIT 1`), table).toBe('ok');
  });

  it.each(SERVICE_SCHEMAS)('%s reads its own schema and is refused every other one', async (service) => {
    expect(await outcome(as(service), `SELECT 1 FROM ${TABLE[service]} LIMIT 1`)).toBe('ok');
    for (const other of SERVICE_SCHEMAS.filter((schema) => schema !== service)) {
      expect(await outcome(as(service), `SELECT 1 FROM ${TABLE[other]} LIMIT 1`), `${service} reading ${TABLE[other]}`).toBe('42501');
    }
    // Writes too: no service may change another's rows.
    const foreign = service === 'book' ? 'rental' : 'book';
    expect(await outcome(as(service), `DELETE FROM ${TABLE[foreign]} WHERE false`)).toBe('42501');
    // Nor create anything, anywhere.
    expect(await outcome(as(service), `CREATE TABLE "${service}".intruder (id int)`)).toBe('42501');
  });

  it("notifications gets an active member's address only through auth's function; nobody else may call it", async () => {
    const { body, saga } = await signUp();
    const memberId = saga.memberId as string;
    const { rows } = await as('notifications').query('SELECT "auth".member_mail_address($1::uuid) AS address', [memberId]);
    expect(rows[0].address).toBe(body.email);
    expect(
      (await as('notifications').query('SELECT "auth".member_mail_address($1::uuid) AS address', [randomUUID()])).rows[0].address,
    ).toBeNull();
    expect(await outcome(as('notifications'), 'SELECT email FROM auth.credential LIMIT 1')).toBe('42501');
    for (const user of DATABASE_USERS.filter((name) => name !== 'notifications')) {
      expect(await outcome(as(user), 'SELECT "auth".member_mail_address($1::uuid)', [memberId]), user).toBe('42501');
    }
  });

  it("member's profile uses member's own Role type; only notifications (auth's function) and the relay (auth's outbox) may use schema auth", async () => {
    const { rows: column } = await owner.query<{ schema: string; type: string }>(
      `SELECT udt_schema AS schema, udt_name AS type FROM information_schema.columns
       WHERE table_schema = 'member' AND table_name = 'profile' AND column_name = 'role'`,
    );
    expect(column).toEqual([{ schema: 'member', type: 'Role' }]);
    expect(await outcome(as('member'), `SELECT 'PARTNER'::member."Role"`)).toBe('ok');
    expect(await outcome(as('member'), `SELECT 'PARTNER'::auth."Role"`)).toBe('42501');
    for (const user of DATABASE_USERS.filter((name) => name !== 'auth')) {
      const role = new URL(stack().serviceDatabaseUrls[databaseUrlKey(user)]!).username;
      const { rows } = await owner.query<{ usage: boolean }>(`SELECT has_schema_privilege($1, 'auth', 'USAGE') AS usage`, [role]);
      expect(rows[0]!.usage, `${role} USAGE on schema auth`).toBe(user === 'notifications' || user === 'relay');
    }
  });

  it('the relay reads, marks and prunes the outboxes and nothing else', async () => {
    for (const schema of ['auth', 'member', 'book', 'rental']) {
      expect(await outcome(as('relay'), `SELECT seq FROM "${schema}".outbox WHERE false`)).toBe('ok');
      expect(await outcome(as('relay'), `UPDATE "${schema}".outbox SET published_at = published_at WHERE false`)).toBe('ok');
      expect(await outcome(as('relay'), `DELETE FROM "${schema}".outbox WHERE false`)).toBe('ok');
      expect(await outcome(as('relay'), `INSERT INTO "${schema}".outbox (topic, key, envelope) VALUES ('x', 'x', '{}')`)).toBe('42501');
    }
    for (const table of Object.values(TABLE)) expect(await outcome(as('relay'), `SELECT 1 FROM ${table} LIMIT 1`), table).toBe('42501');
  });

  it("the running processes work end to end connected as the services' roles", async () => {
    const { body } = await signUp();
    const token = await logIn(body.email, body.password);
    const { bookNo } = await newBook();
    expect((await rent(token, bookNo)).status).toBe('COMPLETED');
    expect((await giveBack(token, bookNo)).status).toBe('COMPLETED');
    // Read models (member history) and notices, each written by its own service's role in the consumers process.
    await eventually(async () => {
      const history = await api('/members/me/history', { token });
      return history.status === 200 && JSON.stringify(history.body).includes(`"bookNo":${bookNo}`) ? true : undefined;
    }, 60_000);
    await eventually(async () => {
      const notices = await api('/members/me/notices', { token });
      return notices.status === 200 && JSON.stringify(notices.body).includes('RETURNED') ? true : undefined;
    }, 60_000);
    expect((await api('/members/me', { token })).status).toBe(200);
    await asAdmin();
    const { rows } = await owner.query<{ usename: string }>(
      'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND usename IS NOT NULL',
    );
    const connected = rows.map((row) => row.usename);
    for (const user of DATABASE_USERS)
      expect(connected, `a process connected as ${user}'s role`).toContain(
        new URL(stack().serviceDatabaseUrls[databaseUrlKey(user)]!).username,
      );
  }, 240_000);

  it('the roles step runs again without harm (idempotent)', async () => {
    const env = { ...stack().serviceDatabaseUrls };
    const first = await ensureServiceRoles(stack().databaseUrl, env);
    expect(first.length).toBe(DATABASE_USERS.length);
    expect(await ensureServiceRoles(stack().databaseUrl, env)).toEqual(first);
    expect(await outcome(as('rental'), `SELECT 1 FROM ${TABLE.rental} LIMIT 1`)).toBe('ok');
    expect(await outcome(as('rental'), `SELECT 1 FROM ${TABLE.auth} LIMIT 1`)).toBe('42501');
  });
});
