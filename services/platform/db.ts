import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;
/** The client handed to code inside `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** The connection pool under each client createDb made, for `readRow`. */
const pools = new WeakMap<Db, pg.Pool>();

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle connection the server ends (a restart, a terminated backend) is dropped by the pool and replaced on the
  // next query; with no listener its 'error' event would end the process. Prisma listens only once it has connected.
  pool.on('error', () => {});
  // The client's $disconnect ends the pool, as it would a pool of its own.
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** A read that runs on every request: a name (its prepared statement's on each connection) and parameterised SQL. */
export interface HotRead {
  name: string;
  text: string;
}

/**
 * One row of a hot read, or undefined when there is none, run by pg as a named
 * prepared statement on the client's own pool, outside any transaction. Prisma
 * spends about 0.9 ms of CPU on a primary-key lookup (`findUnique`) against
 * pg's 0.08 ms (scripts/bench/session-check.ts measures both), so the two reads
 * on every request (the bearer's session and rental's catalog copy) come
 * through here; everything else, writes and transactions included, stays with
 * Prisma. Columns come back under their SQL names, typed by pg (uuid and text
 * as strings, timestamptz as Date, int as number).
 */
export async function readRow<Row extends Record<string, unknown>>(db: Db, read: HotRead, values: unknown[]): Promise<Row | undefined> {
  const pool = pools.get(db);
  // A client whose pool was ended by $disconnect reconnects through Prisma: so does its read.
  if (!pool || pool.ended) return (await db.$queryRawUnsafe<Row[]>(read.text, ...values))[0];
  const { rows } = await pool.query<Row>({ name: read.name, text: read.text, values });
  return rows[0];
}

/** True when the error is a unique-constraint violation (P2002). */
export function isUniqueViolation(error: unknown, field?: string): boolean {
  if (typeof error !== 'object' || error === null || (error as { code?: string }).code !== 'P2002') return false;
  if (!field) return true;
  return JSON.stringify((error as { meta?: unknown }).meta ?? '').includes(field);
}

/** Options of a read model's batch transaction: up to a thousand events in one statement may outlast Prisma's 5 s default. */
export const BATCH_TRANSACTION = { maxWait: 10_000, timeout: 60_000 } as const;
