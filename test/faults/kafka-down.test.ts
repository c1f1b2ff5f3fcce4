/**
 * Kafka is not on a saga's critical path: with the broker stopped, rent and
 * return sagas still complete and their events wait in the outboxes; once it
 * is back, every event arrives and the read models converge.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';
import { startServer, stopServer } from '../support/control.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { giveBack, newBook, newMember, rent } from '../support/library.ts';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await startServer('kafka');
  await db.end();
});

describe('Kafka down during a burst of sagas', () => {
  it('sagas complete, events wait in the outbox, read models converge after the restart', async () => {
    const members = await Promise.all(Array.from({ length: 10 }, () => newMember()));
    const books = await Promise.all(members.map(() => newBook()));
    await expectInvariantsToHold({ memberIds: members.map((m) => m.memberId), bookNos: books.map((b) => b.bookNo) });

    await stopServer('kafka');
    const sagas = await Promise.all(
      members.map(async (member, i) => {
        const rented = await rent(member.token, books[i]!.bookNo);
        const returned = i % 2 === 0 ? await giveBack(member.token, books[i]!.bookNo) : undefined;
        return [rented, returned].filter(Boolean);
      }),
    );
    expect(sagas.flat().map((saga) => saga!.status)).toEqual(Array(15).fill('COMPLETED'));
    const waiting = await db.query(
      `SELECT count(*)::int AS n FROM rental.outbox WHERE key = ANY($1::text[]) AND published_at IS NULL AND topic IN ('rental.item-rented.v1', 'rental.item-returned.v1')`,
      [members.map((m) => m.memberId)],
    );
    expect(waiting.rows[0].n).toBe(15); // 10 item-rented + 5 item-returned, none published yet

    await startServer('kafka');
    await expectInvariantsToHold({ memberIds: members.map((m) => m.memberId), bookNos: books.map((b) => b.bookNo) }, 120_000);
    console.log('kafka-down: 15 sagas completed with the broker stopped; 15 events delivered after its restart');
  }, 300_000);
});
