/**
 * Migrations without Prisma's native engine (see README, "Database").
 *   tsx scripts/db/migrate.ts deploy         apply committed migrations to DATABASE_URL, then make the per-service roles (scripts/db/roles.ts)
 *   tsx scripts/db/migrate.ts create <name>  write prisma/migrations/<timestamp>_<name>/ from the schema change
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServiceRoles } from './roles.ts';
import { MIGRATIONS_DIR, applyMigrations, diffSql, readMigrations, readSchemaFiles, type SchemaFile } from './schema-engine.ts';

/** Each migration folder keeps the datamodel it produced, so the next one is a datamodel-to-datamodel diff. */
export const SNAPSHOT_FILE = 'schema.snapshot.prisma';

export function currentDatamodel(): string {
  return `${readSchemaFiles()
    .map((file) => file.content.trim())
    .join('\n\n')}\n`;
}

export function lastSnapshot(): SchemaFile[] | 'empty' {
  const last = readMigrations().at(-1);
  if (!last) return 'empty';
  const path = join(MIGRATIONS_DIR, last.name, SNAPSHOT_FILE);
  return [{ path, content: readFileSync(path, 'utf8') }];
}

async function create(databaseUrl: string, name: string): Promise<void> {
  const sql = await diffSql(databaseUrl, lastSnapshot(), readSchemaFiles());
  if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
    console.log('schema unchanged: no migration written');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(MIGRATIONS_DIR, `${stamp}_${name.replace(/\W+/g, '_')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  writeFileSync(join(dir, SNAPSHOT_FILE), currentDatamodel());
  const lock = join(MIGRATIONS_DIR, 'migration_lock.toml');
  if (!existsSync(lock)) writeFileSync(lock, 'provider = "postgresql"\n');
  console.log(`wrote ${dir}`);
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  if (command === 'deploy') {
    const applied = await applyMigrations(databaseUrl);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    // The roles of the per-service URLs in the environment (AUTH_DATABASE_URL, ...), on this database.
    const roles = await ensureServiceRoles(databaseUrl, process.env);
    if (roles.length > 0) console.log(`roles and grants: ${roles.join(', ')}`);
  } else if (command === 'create' && name) {
    await create(databaseUrl, name);
  } else {
    throw new Error('usage: migrate.ts deploy | create <name>');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
