/** A fresh, migrated database on the test PostgreSQL server, for suites that must own every row (such as a rebuild). */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../../scripts/db/schema-engine.ts';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = `scratch_${randomUUID().replaceAll('-', '')}`;
  const run = async (sql: string) => {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
