/**
 * The relay's database connection is cut while it holds it to mark a batch
 * published (a PostgreSQL restart or failover does that). The relay must
 * survive: the batch's transaction fails, the relay tries again on a new
 * connection and marks the rows, with no process restart.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, stack } from '../support/api.ts';
import { killProcess, startProcess } from '../support/control.ts';
import { asAdmin } from '../support/library.ts';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 3 });
});
afterAll(async () => {
  await startProcess('relay'); // leave a relay running whatever happened
  await db.end();
});

describe('relay losing its database connection mid-batch', () => {
  it('keeps running and marks the batch on a new connection', async () => {
    await killProcess('relay', 'SIGTERM');
    // Its book-changed events wait in the outbox (no relay runs: rental cannot hear of the book yet).
    const created = await api('/books', {
      method: 'POST',
      token: await asAdmin(),
      json: { title: `Book ${Date.now()}`, author: 'A. Author' },
    });
    expect(created.status).toBe(201);
    const book = created.body as { bookNo: number };
    const { rows } = await db.query<{ seq: string }>(
      `SELECT seq FROM book.outbox WHERE published_at IS NULL AND topic = 'book.book-changed.v1' AND envelope->'payload'->>'bookNo' = $1`,
      [String(book.bookNo)],
    );
    expect(rows).toHaveLength(1);
    const seq = rows[0]!.seq;

    // Hold the row, so the relay publishes it and then waits to mark it, connection in hand. The relay connects
    // with its own role, whose query text and wait state this connection may not read: it is found as the one blocked by the holder.
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      const {
        rows: [held],
      } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await holder.query('SELECT seq FROM book.outbox WHERE seq = $1 FOR UPDATE', [seq]);
      await startProcess('relay');
      const waiting = await eventually(async () => {
        const { rows: found } = await db.query<{ pid: number; usename: string }>(
          `SELECT pid, usename FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))`,
          [held!.pid],
        );
        return found[0];
      }, 30_000);
      // Ending another role's backend takes membership in it (the owner may grant it: it made the role).
      if (waiting.usename !== (await db.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u) {
        await db.query(`GRANT "${waiting.usename}" TO CURRENT_USER`);
      }
      await db.query('SELECT pg_terminate_backend($1)', [waiting.pid]);
    } finally {
      // Never left holding the row: a failure here must not stall the book outbox for the suites after it.
      await holder.query('ROLLBACK').catch(() => {});
      holder.release();
    }

    const published = await eventually(async () => {
      const { rows: row } = await db.query<{ published_at: Date | null }>('SELECT published_at FROM book.outbox WHERE seq = $1', [seq]);
      return row[0]?.published_at ?? undefined;
    }, 20_000);
    expect(published).toBeInstanceOf(Date);
  }, 90_000);
});
