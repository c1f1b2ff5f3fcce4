/**
 * The committed migrations must build exactly the database that schema.prisma
 * describes. Database A gets the migrations; database B gets the SQL Prisma's
 * schema engine derives from schema.prisma alone; their catalogs must match.
 */
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { applyMigrations, diffSql, readSchemaFiles } from '../scripts/db/schema-engine.ts';
import { currentDatamodel, lastSnapshot } from '../scripts/db/migrate.ts';

const baseUrl = () => inject('stack').databaseUrl;
const created: string[] = [];

async function scratchDatabase(): Promise<string> {
  const name = `scratch_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: baseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  const url = new URL(baseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: baseUrl() });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** Columns, constraints, indexes and enum types of the project's schemas, as comparable text. */
async function catalog(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const schemas = ['auth', 'member', 'rental', 'book', 'partner', 'bestbook'];
  const rows = async (sql: string) => (await client.query(sql, [schemas])).rows.map((row) => Object.values(row).join(' | ')).sort();
  try {
    return {
      columns: await rows(`SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable, column_default
                           FROM information_schema.columns WHERE table_schema = ANY($1)`),
      constraints: await rows(`SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid)
                               FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                               WHERE n.nspname = ANY($1)`),
      indexes: await rows(`SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = ANY($1)`),
      enums: await rows(`SELECT n.nspname, t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
                         WHERE n.nspname = ANY($1) GROUP BY 1, 2`),
    };
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('build the same database as schema.prisma', async () => {
    const [migrated, derived] = await Promise.all([scratchDatabase(), scratchDatabase()]);
    await applyMigrations(migrated);
    const client = new pg.Client({ connectionString: derived });
    await client.connect();
    await client.query(await diffSql(derived, 'empty', readSchemaFiles()));
    await client.end();
    const expected = await catalog(derived);
    expect(expected.columns.length).toBeGreaterThan(20);
    expect(await catalog(migrated)).toEqual(expected);
  });

  it('record the current datamodel as the latest snapshot', () => {
    const snapshot = lastSnapshot();
    expect(snapshot).not.toBe('empty');
    expect((snapshot as { content: string }[])[0]!.content).toBe(currentDatamodel());
  });

  it('apply idempotently', async () => {
    const url = await scratchDatabase();
    expect((await applyMigrations(url)).length).toBeGreaterThan(0);
    expect(await applyMigrations(url)).toEqual([]);
  });

  it('mark the members erased by the old nickname placeholder with erased_at (erasure_column)', async () => {
    const url = await scratchDatabase();
    await applyMigrations(url, { before: ERASURE_COLUMN });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const [withEvent, withoutEvent, kept] = [randomUUID(), randomUUID(), randomUUID()];
      const profile = (memberId: string, nickname: string) =>
        client.query(
          `INSERT INTO member.profile (member_id, signup_id, nickname, role, favorite_styles, active) VALUES ($1, $2, $3, 'USER', '{}', $4)`,
          [memberId, randomUUID(), nickname, !nickname.startsWith('erased-')],
        );
      await profile(withEvent, `erased-${withEvent}`);
      await profile(withoutEvent, `erased-${withoutEvent}`); // its outbox row was pruned
      await profile(kept, 'erased-someone-else'); // a nickname that merely looks like it
      await client.query(
        `INSERT INTO member.outbox (event_id, topic, key, envelope, created_at) VALUES ($1, 'member.member-erased.v1', $2, '{}', '2026-03-01T00:00:00Z')`,
        [randomUUID(), withEvent],
      );
      const started = new Date();
      expect((await applyMigrations(url)).map((path) => path.split('/').at(-1))[0]).toBe(ERASURE_COLUMN); // and any newer ones
      const rows = new Map(
        (await client.query('SELECT member_id, nickname, erased_at FROM member.profile')).rows.map((row) => [
          row.member_id as string,
          row as { nickname: string | null; erased_at: Date | null },
        ]),
      );
      expect(rows.get(withEvent)).toMatchObject({ nickname: null, erased_at: new Date('2026-03-01T00:00:00Z') });
      expect(rows.get(withoutEvent)!.nickname).toBeNull();
      expect(rows.get(withoutEvent)!.erased_at!.getTime()).toBeGreaterThanOrEqual(started.getTime() - 60_000);
      expect(rows.get(kept)).toMatchObject({ nickname: 'erased-someone-else', erased_at: null });
    } finally {
      await client.end();
    }
  });
});

const ERASURE_COLUMN = '20261130080353_erasure_column';
