/**
 * Prisma's own schema engine, run as WebAssembly through the pg driver adapter.
 *
 * The Prisma CLI wants to download a native schema engine, which these machines
 * cannot reach; the WebAssembly build ships on npm and does the same work
 * (diff, apply migrations) over the `@prisma/adapter-pg` connection.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

export const PRISMA_DIR = resolve(import.meta.dirname, '../../prisma');
export const SCHEMA_DIR = join(PRISMA_DIR, 'schema');
export const MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');

export interface SchemaFile {
  path: string;
  content: string;
}

type Engine = wasmBindings.SchemaEngine;
const NO_FILTER = { externalTables: [], externalEnums: [] };

let initialised: Promise<void> | undefined;
function initWasm(): Promise<void> {
  initialised ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': wasmBindings });
    wasmBindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  })();
  return initialised;
}

export function readSchemaFiles(dir = SCHEMA_DIR): SchemaFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.prisma'))
    .sort()
    .map((name) => ({ path: join(dir, name), content: readFileSync(join(dir, name), 'utf8') }));
}

/** Committed migrations in apply order (folder names start with a timestamp). */
export function readMigrations(): { name: string; sql: string }[] {
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8') }));
}

export async function withSchemaEngine<T>(databaseUrl: string, use: (engine: Engine) => Promise<T>): Promise<T> {
  await initWasm();
  const files = readSchemaFiles();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: databaseUrl }));
  const engine = await wasmBindings.SchemaEngine.new({ datamodels: files.map((file) => [file.path, file.content]) }, () => {}, adapter);
  try {
    return await use(engine);
  } finally {
    engine.free();
  }
}

/** SQL that turns the `from` datamodel (or an empty database) into the `to` datamodel. */
export async function diffSql(databaseUrl: string, from: SchemaFile[] | 'empty', to: SchemaFile[]): Promise<string> {
  return withSchemaEngine(databaseUrl, async (engine) => {
    const result = await engine.diff({
      from: from === 'empty' ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: from },
      to: { tag: 'schemaDatamodel', files: to },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return result.stdout ?? '';
  });
}

/**
 * Applies every committed migration not yet recorded in `_prisma_migrations`, like `prisma migrate deploy`;
 * `before` stops short of the named migration (a test of that migration's data step).
 */
export async function applyMigrations(databaseUrl: string, options: { before?: string } = {}): Promise<string[]> {
  const { before } = options;
  const migrations = readMigrations().filter(({ name }) => before === undefined || name < before);
  return withSchemaEngine(databaseUrl, async (engine) => {
    const output = await engine.applyMigrations({
      migrationsList: {
        baseDir: MIGRATIONS_DIR,
        lockfile: {
          path: join(MIGRATIONS_DIR, 'migration_lock.toml'),
          content: readFileSync(join(MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8'),
        },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map(({ name, sql }) => ({
          path: join(MIGRATIONS_DIR, name),
          migrationFile: { path: join(MIGRATIONS_DIR, name, 'migration.sql'), content: { tag: 'ok', value: sql } },
        })),
      },
      filters: NO_FILTER,
    });
    return output.appliedMigrationNames;
  });
}
