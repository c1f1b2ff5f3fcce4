/**
 * The per-service roles, made by the owner after the migrations (dev, test and
 * cluster profiles, `npm run db:migrate`, the compose file's migrate job).
 * Idempotent: run it again after every migration and it creates what is
 * missing, resets each password to the configured one and grants the tables a
 * migration added.
 *
 * The roles and passwords are those of the configured URLs
 * (`AUTH_DATABASE_URL`, ...): a service whose URL is unset, equals
 * DATABASE_URL, or points at another server or database is left alone (there
 * the operator makes its role). What each role may do:
 * - a service's role: its own schema's tables (read, write, delete) and
 *   sequences, and the migration table (the start-up schema check); nothing else
 *   (member's profile has a `Role` type of its own, in schema member);
 * - notifications, in addition: EXECUTE on `auth.member_mail_address` (auth's
 *   door to an address at send time; it runs with the owner's rights);
 * - the relay's role: every service's `outbox` table (read, mark, prune) and
 *   the migration table; no other table. Its URL is RELAY_DATABASE_URL, or on a
 *   database that holds only some outboxes, a RELAY_<SCHEMA>_OUTBOX_URL.
 * The operator commands (invariant checker, read-model rebuild, dead letters,
 * the ops console) keep the owner's DATABASE_URL.
 */
import pg from 'pg';
import { OUTBOX_SCHEMAS } from '../../services/platform/outbox.ts';
import { DATABASE_USERS, databaseUrlKey, RELAY_OUTBOX_URL_KEYS, type DatabaseUser } from '../../services/platform/service-databases.ts';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The statements granting one user what it may do (the role exists). */
export function grantsOf(user: DatabaseUser, role: string): string[] {
  const migrations = `GRANT SELECT ON public._prisma_migrations TO ${role}`;
  if (user === 'relay') {
    return [
      ...OUTBOX_SCHEMAS.flatMap((schema) => [
        `GRANT USAGE ON SCHEMA "${schema}" TO ${role}`,
        `GRANT SELECT, UPDATE, DELETE ON "${schema}".outbox TO ${role}`,
      ]),
      migrations,
    ];
  }
  const own = [
    `GRANT USAGE ON SCHEMA "${user}" TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${user}" TO ${role}`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "${user}" TO ${role}`,
    migrations,
  ];
  // Before migration member_role_type member's profile named auth's Role type and its role had USAGE on auth: taken back.
  if (user === 'member') own.push(`REVOKE USAGE ON SCHEMA "auth" FROM ${role}`);
  if (user === 'notifications')
    own.push(`GRANT USAGE ON SCHEMA "auth" TO ${role}`, `GRANT EXECUTE ON FUNCTION "auth".member_mail_address(uuid) TO ${role}`);
  return own;
}

const sameDatabase = (a: URL, b: URL) =>
  a.hostname === b.hostname && (a.port || '5432') === (b.port || '5432') && a.pathname === b.pathname;

/** The users whose URL names a role of their own on the owner's database. */
export function rolesToMake(
  ownerUrl: string,
  env: Record<string, string | undefined>,
): { user: DatabaseUser; role: string; password: string }[] {
  const owner = new URL(ownerUrl);
  const made: { user: DatabaseUser; role: string; password: string }[] = [];
  for (const user of DATABASE_USERS) {
    // The relay's role on this database may come from an outbox's own URL (an outbox that lives in this database, apart from the others).
    const keys = user === 'relay' ? [databaseUrlKey(user), ...RELAY_OUTBOX_URL_KEYS] : [databaseUrlKey(user)];
    for (const key of keys) {
      const value = env[key];
      if (!value || value === ownerUrl) continue;
      const url = new URL(value);
      const role = decodeURIComponent(url.username);
      if (!sameDatabase(url, owner) || role === decodeURIComponent(owner.username)) continue;
      if (!IDENTIFIER.test(role)) throw new Error(`${key}: the role name ${JSON.stringify(role)} must be lower-case letters, digits and _`);
      if (!url.password) throw new Error(`${key}: no password in the URL`);
      made.push({ user, role, password: decodeURIComponent(url.password) });
      break;
    }
  }
  return made;
}

/** Creates or updates the roles and their grants; returns the role names. */
export async function ensureServiceRoles(ownerUrl: string, env: Record<string, string | undefined> = process.env): Promise<string[]> {
  const roles = rolesToMake(ownerUrl, env);
  if (roles.length === 0) return [];
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const database = decodeURIComponent(new URL(ownerUrl).pathname.slice(1));
    for (const { user, role, password } of roles) {
      // One transaction per role, under a lock: two processes setting up at once (a test stack and `npm run db:migrate`) wait for each other.
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('service-roles'))`);
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (!rowCount) {
        await client.query(`CREATE ROLE ${role} LOGIN`).catch((error: Error & { code?: string }) => {
          if (error.code !== '42501') throw error;
          const ownerRole = decodeURIComponent(new URL(ownerUrl).username);
          throw new Error(
            `DATABASE_URL's role ${ownerRole} may not create the role ${role}: give it CREATEROLE (ALTER ROLE ${ownerRole} CREATEROLE, as a superuser), or create the roles yourself`,
          );
        });
      }
      // No database or role creation, no inheritance of anyone's rights (never a superuser: the owner cannot make one): only what is granted below.
      await client.query(`ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${client.escapeLiteral(password)}`);
      await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${role}`);
      for (const statement of grantsOf(user, role)) await client.query(statement);
      await client.query('COMMIT');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return roles.map((entry) => entry.role);
}
