/**
 * Start-up check that the database carries every committed migration: a
 * process against a database without the schema (or behind it) stops with
 * the command that applies it, instead of failing request by request.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from './db.ts';

const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../prisma/migrations');
export const MIGRATE_COMMAND = 'npm run db:migrate';

/** The committed migrations, oldest first (folder names, as `_prisma_migrations` records them). */
export function committedMigrations(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Committed migrations the database has not (successfully) applied; recorded names may carry the folder's path. */
export function unappliedMigrations(committed: string[], applied: string[]): string[] {
  const done = new Set(applied.map((name) => name.split('/').at(-1)));
  return committed.filter((name) => !done.has(name));
}

export async function checkSchema(db: Db, committed = committedMigrations()): Promise<void> {
  let applied: string[];
  try {
    const rows = await db.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM public._prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = rows.map((row) => row.migration_name);
  } catch (error) {
    const message = (error as Error).message;
    if (/_prisma_migrations.*does not exist|relation .* does not exist|42P01/.test(message)) {
      throw new Error(`the database has no schema (no _prisma_migrations table); apply it: ${MIGRATE_COMMAND} (with this DATABASE_URL)`);
    }
    throw new Error(`cannot read the database's migrations (${message}); check DATABASE_URL, then run ${MIGRATE_COMMAND}`);
  }
  const missing = unappliedMigrations(committed, applied);
  if (missing.length > 0)
    throw new Error(
      `the database lacks ${missing.length} migration(s) (${missing.join(', ')}); apply them: ${MIGRATE_COMMAND} (with this DATABASE_URL)`,
    );
}
