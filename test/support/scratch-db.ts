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
  const run = async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    try {
      return (await admin.query<R>(sql, values)).rows;
    } finally {
      await admin.end();
    }
  };
  /**
   * Waits (up to 5 s) for the suite's own connections to finish closing before
   * forcing the rest off: a pool's end() answers before its sockets are gone, and a
   * connection terminated while it closes raises an error nobody listens for any more.
   */
  const drop = async () => {
    for (let waited = 0; waited < 5_000; waited += 100) {
      const [row] = await run<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (row?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return { url: url.toString(), drop };
}
