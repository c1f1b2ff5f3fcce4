import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envelope, uniqueBookNo } from '../../test/support/events.ts';
import { bearerAuthenticator } from '../auth/authenticator.ts';
import { openSession, sessionCheck } from '../auth/sessions.ts';
import type { TokenOptions } from '../auth/tokens.ts';
import { createDb, type Db } from '../platform/db.ts';
import { createApp } from '../platform/http/app.ts';
import { createLogger } from '../platform/logger.ts';
import { findRentalHistory, recordItemRented, recordItemReturned } from './history.ts';
import { memberHistoryRoutes } from './http/history-routes.ts';

let db: Db;
let tokens: TokenOptions;

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
  tokens = { secret: 'history-test-secret-0123456789-0123456789', ttlSeconds: 60, refreshTtlSeconds: 600, sessions: sessionCheck(db) };
});
afterAll(() => db.$disconnect());

function loan(memberId: string, rentedAt: string, title = 'The Hobbit') {
  const rentalId = randomUUID();
  const bookNo = uniqueBookNo();
  return {
    bookNo,
    rented: envelope('rental.item-rented.v1', { rentalId, memberId, bookNo, title, rentedAt, dueAt: rentedAt }, { occurredAt: rentedAt }),
    returned: (returnedAt: string) =>
      envelope('rental.item-returned.v1', { rentalId, memberId, bookNo, returnedAt, lateFee: 0 }, { occurredAt: returnedAt }),
  };
}

describe('member history handlers', () => {
  it('records a loan and its return once each, however often they are delivered', async () => {
    const memberId = randomUUID();
    const { bookNo, rented, returned } = loan(memberId, '2026-01-01T10:00:00.000Z');
    const back = returned('2026-01-05T10:00:00.000Z');
    await recordItemRented(db, rented);
    await recordItemRented(db, rented);
    await recordItemReturned(db, back);
    await recordItemReturned(db, back);
    expect(await findRentalHistory(db, memberId)).toEqual([
      { bookNo, title: 'The Hobbit', rentedAt: new Date('2026-01-01T10:00:00.000Z'), returnedAt: new Date('2026-01-05T10:00:00.000Z') },
    ]);
  });

  it('a return seen before its rent leaves a placeholder that the rent completes', async () => {
    const memberId = randomUUID();
    const { bookNo, rented, returned } = loan(memberId, '2026-01-01T10:00:00.000Z', 'Emma');
    await recordItemReturned(db, returned('2026-01-03T10:00:00.000Z'));
    expect(await findRentalHistory(db, memberId)).toEqual([
      { bookNo, title: '', rentedAt: new Date('2026-01-03T10:00:00.000Z'), returnedAt: new Date('2026-01-03T10:00:00.000Z') },
    ]);
    await recordItemRented(db, rented);
    expect(await findRentalHistory(db, memberId)).toEqual([
      { bookNo, title: 'Emma', rentedAt: new Date('2026-01-01T10:00:00.000Z'), returnedAt: new Date('2026-01-03T10:00:00.000Z') },
    ]);
  });
});

describe('GET /members/me/history', () => {
  const app = () =>
    createApp({
      logger: createLogger({ name: 'test', level: 'silent' }),
      routers: [memberHistoryRoutes({ db, auth: bearerAuthenticator(tokens) })],
    });
  const tokenFor = async (memberId: string) => (await openSession(db, tokens, { memberId, role: 'USER' })).token;

  it("answers the caller's loans newest first, returnedAt only once returned", async () => {
    const memberId = randomUUID();
    const older = loan(memberId, '2026-01-01T10:00:00.000Z', 'Older');
    const newer = loan(memberId, '2026-02-01T10:00:00.000Z', 'Newer');
    const someoneElse = loan(randomUUID(), '2026-03-01T10:00:00.000Z', 'Not mine');
    for (const event of [older.rented, newer.rented, someoneElse.rented]) await recordItemRented(db, event);
    await recordItemReturned(db, older.returned('2026-01-10T10:00:00.000Z'));

    const response = await app().request('/members/me/history', { headers: { authorization: `Bearer ${await tokenFor(memberId)}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { bookNo: newer.bookNo, title: 'Newer', rentedAt: '2026-02-01T10:00:00.000Z' },
      { bookNo: older.bookNo, title: 'Older', rentedAt: '2026-01-01T10:00:00.000Z', returnedAt: '2026-01-10T10:00:00.000Z' },
    ]);
  });

  it('answers an empty list to a member without loans and 401 without a token', async () => {
    const response = await app().request('/members/me/history', { headers: { authorization: `Bearer ${await tokenFor(randomUUID())}` } });
    expect(await response.json()).toEqual([]);
    const anonymous = await app().request('/members/me/history');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });
});
