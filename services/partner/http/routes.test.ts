import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envelope, uniqueBookNo } from '../../../test/support/events.ts';
import { bearerAuthenticator } from '../../auth/authenticator.ts';
import { openSession, sessionCheck } from '../../auth/sessions.ts';
import type { TokenOptions } from '../../auth/tokens.ts';
import { createDb, type Db } from '../../platform/db.ts';
import { createApp } from '../../platform/http/app.ts';
import { createLogger } from '../../platform/logger.ts';
import { countPartnerRent, recordPartnerRegistered } from '../summaries.ts';
import { partnerRoutes } from './routes.ts';

let tokens: TokenOptions;
let db: Db;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
  tokens = { secret: 'partner-routes-test-secret-0123456789abcdef', ttlSeconds: 900, refreshTtlSeconds: 3600, sessions: sessionCheck(db) };
  app = createApp({
    logger: createLogger({ name: 'test', level: 'silent' }),
    routers: [partnerRoutes({ db, auth: bearerAuthenticator(tokens) })],
  });
});
afterAll(() => db.$disconnect());

const bearer = async (memberId: string, role: 'USER' | 'PARTNER' | 'ADMIN') => (await openSession(db, tokens, { memberId, role })).token;
async function summaryOf(memberId: string, asMember = memberId, role: 'USER' | 'PARTNER' | 'ADMIN' = 'PARTNER') {
  const response = await app.request(`/partners/${memberId}/summary`, {
    headers: { authorization: `Bearer ${await bearer(asMember, role)}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const rent = (memberId: string) => {
  const now = new Date().toISOString();
  return countPartnerRent(
    db,
    envelope('rental.item-rented.v1', { rentalId: randomUUID(), memberId, bookNo: uniqueBookNo(), title: 'T', rentedAt: now, dueAt: now }),
  );
};

describe('GET /partners/{memberId}/summary', () => {
  it("shows a partner's counters, rents applied before the registration included", async () => {
    const memberId = randomUUID();
    await rent(memberId);
    await recordPartnerRegistered(db, envelope('member.partner-registered.v1', { memberId, registeredAt: '2026-01-01T00:00:00.000Z' }));
    await rent(memberId);
    const expected = { memberId, registeredAt: '2026-01-01T00:00:00.000Z', rentCount: 2, returnCount: 0 };
    expect(await summaryOf(memberId)).toEqual({ status: 200, body: expected });
    expect(await summaryOf(memberId, randomUUID(), 'ADMIN')).toEqual({ status: 200, body: expected });
    expect((await summaryOf(memberId, randomUUID())).status).toBe(403);
  });

  it('answers 404 for a member who is not a partner, though their rents are counted', async () => {
    const memberId = randomUUID();
    await rent(memberId);
    const { status, body } = await summaryOf(memberId, memberId, 'USER');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await summaryOf(memberId, randomUUID(), 'ADMIN')).status).toBe(404);
  });
});
