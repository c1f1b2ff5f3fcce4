import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, readRow, type Db, type HotRead } from './db.ts';

const SESSION: HotRead = {
  name: 'test-session-row',
  text: 'SELECT member_id, expires_at, revoked_at, generation FROM auth.session WHERE session_id = $1::uuid',
};
type SessionRow = { member_id: string; expires_at: Date; revoked_at: Date | null; generation: number };

let db: Db;
const sessionId = randomUUID();
const memberId = randomUUID();
const expiresAt = new Date('2031-05-06T07:08:09.123Z');

beforeAll(async () => {
  db = createDb(inject('stack').databaseUrl, 2);
  await db.session.create({ data: { sessionId, memberId, refreshHash: 'x'.repeat(64), expiresAt, generation: 3 } });
});
afterAll(async () => {
  await db.session.deleteMany({ where: { memberId } });
  await db.$disconnect();
});

describe('readRow (hot reads through pg)', () => {
  it("reads one row under its SQL names, typed as Prisma's columns are", async () => {
    const row = await readRow<SessionRow>(db, SESSION, [sessionId]);
    expect(row).toEqual({ member_id: memberId, expires_at: expiresAt, revoked_at: null, generation: 3 });
    expect(row?.expires_at).toBeInstanceOf(Date);
  });

  it('answers undefined when no row matches', async () => {
    expect(await readRow<SessionRow>(db, SESSION, [randomUUID()])).toBeUndefined();
  });

  it("sees what Prisma just wrote, on the client's own pool (no second pool of connections)", async () => {
    await db.session.update({ where: { sessionId }, data: { revokedAt: expiresAt } });
    expect((await readRow<SessionRow>(db, SESSION, [sessionId]))?.revoked_at).toEqual(expiresAt);
    await db.session.update({ where: { sessionId }, data: { revokedAt: null } });
    // A pool of one: while a Prisma transaction holds the connection, the read waits for it.
    const single = createDb(inject('stack').databaseUrl, 1);
    try {
      let committed = false;
      const transaction = single.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_sleep(0.3)`;
        committed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const read = await readRow<SessionRow>(single, SESSION, [sessionId]);
      expect(read?.member_id).toBe(memberId);
      expect(committed).toBe(true);
      await transaction;
    } finally {
      await single.$disconnect();
    }
  });

  it('keeps working after the client was disconnected and reconnects', async () => {
    const other = createDb(inject('stack').databaseUrl, 1);
    expect((await readRow<SessionRow>(other, SESSION, [sessionId]))?.member_id).toBe(memberId);
    await other.$disconnect();
    expect((await readRow<SessionRow>(other, SESSION, [sessionId]))?.member_id).toBe(memberId);
    await other.$disconnect();
  });

  it('survives the server ending its idle connection before Prisma ever ran a query (a restart), and reads on a new one', async () => {
    const fresh = createDb(inject('stack').databaseUrl, 1);
    try {
      const backend = await readRow<{ pid: number }>(fresh, { name: 'test-backend-pid', text: 'SELECT pg_backend_pid() AS pid' }, []);
      const [terminated] = await db.$queryRaw<{ ended: boolean }[]>`SELECT pg_terminate_backend(${backend!.pid}::int) AS ended`;
      expect(terminated?.ended).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await readRow<{ pid: number }>(fresh, { name: 'test-backend-pid', text: 'SELECT pg_backend_pid() AS pid' }, []);
      expect(next!.pid).not.toBe(backend!.pid);
    } finally {
      await fresh.$disconnect();
    }
  });
});
