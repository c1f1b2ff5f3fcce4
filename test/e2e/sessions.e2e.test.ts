/**
 * Sessions against the real stack: login opens one, refresh rotates its
 * refresh token, and logout, a password change, an admin's revocation and
 * erasure end it. An ended session's bearer token answers 401 on every
 * secured route of the OpenAPI document at once, also on a second API
 * process (the store is auth's schema, not process memory).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, settledSaga, signUp } from '../support/api.ts';
import { asAdmin, newBook, rent } from '../support/library.ts';
import { startSecondApi } from '../support/second-api.ts';

interface Grant {
  token: string;
  refreshToken: string;
  expiresIn: number;
}

async function login(email: string, password: string, baseUrl?: string): Promise<Grant> {
  const { status, body } = await api('/auth/login', { method: 'POST', json: { email, password }, ...(baseUrl ? { baseUrl } : {}) });
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

async function member() {
  const { body, saga } = await signUp();
  expect(saga.status).toBe('COMPLETED');
  return { email: body.email as string, password: body.password as string, memberId: saga.memberId as string };
}

const refresh = (refreshToken: string, baseUrl?: string) =>
  api('/auth/refresh', { method: 'POST', json: { refreshToken }, ...(baseUrl ? { baseUrl } : {}) });
const me = (token: string, baseUrl?: string) => api('/members/me', { token, ...(baseUrl ? { baseUrl } : {}) });

let secured: { method: string; path: string }[];
let second: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  const doc = (await api('/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  secured = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => (operation.security ?? []).length > 0)
      .map(([method]) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{\w+\}/g, (name) => (name === '{bookNo}' ? '1' : randomUUID())),
      })),
  );
  second = await startSecondApi();
}, 180_000);
afterAll(async () => {
  await second?.stop();
});

/** Every secured route of the document, as this token, on both API processes: the statuses that are not 401. */
async function routesLettingIn(token: string): Promise<string[]> {
  const open: string[] = [];
  for (const baseUrl of [undefined, second.url]) {
    for (const { method, path } of secured) {
      const response = await api(path, {
        method,
        token,
        ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }),
        ...(baseUrl ? { baseUrl } : {}),
      });
      if (response.status !== 401) open.push(`${method} ${path} on ${baseUrl ?? 'the first api'}: ${response.status}`);
      else expect(response.body.error.code).toBe('UNAUTHORIZED');
    }
  }
  return open;
}

describe('sessions', () => {
  it('login answers a bearer token, a refresh token and the bearer lifetime', async () => {
    const { email, password, memberId } = await member();
    const grant = await login(email, password);
    expect(grant).toEqual({ token: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });
    expect((await me(grant.token)).body.memberId).toBe(memberId);
  });

  it('a refresh token works once; a reused one ends the whole session family', async () => {
    const { email, password } = await member();
    const first = await login(email, password);
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    expect((await me(rotated.body.token)).status).toBe(200);
    const again = await refresh(rotated.body.refreshToken, second.url); // rotation on the other process
    expect(again.status).toBe(200);

    // The first refresh token again: refused, and every token of that login is revoked.
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('UNAUTHORIZED');
    expect((await refresh(again.body.refreshToken)).status).toBe(401);
    for (const token of [first.token, rotated.body.token, again.body.token]) expect((await me(token)).status).toBe(401);
    // Another login of the same member is another family, untouched.
    expect((await me((await login(email, password)).token)).status).toBe(200);
  });

  it('of two refreshes racing with one token exactly one wins, and the loser ends the session', async () => {
    const { email, password } = await member();
    const grant = await login(email, password);
    const answers = await Promise.all([refresh(grant.refreshToken), refresh(grant.refreshToken, second.url)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const winner = answers.find((answer) => answer.status === 200)!;
    expect((await me(winner.body.token)).status).toBe(401);
  });

  it('refuses malformed and unknown refresh tokens with 401, bad bodies with 400', async () => {
    expect((await refresh('not-a-refresh-token')).status).toBe(401);
    expect((await refresh(`${randomUUID()}.${'A'.repeat(43)}`)).status).toBe(401);
    expect((await api('/auth/refresh', { method: 'POST', json: {} })).status).toBe(400);
  });

  it('logout ends that session on every secured route of both API processes at once; other sessions live on', async () => {
    const { email, password } = await member();
    const kept = await login(email, password);
    const ended = await login(email, password, second.url);
    expect((await me(ended.token)).status).toBe(200);
    expect((await api('/auth/logout', { method: 'POST', token: ended.token, json: {} })).status).toBe(204);
    // The very next request, on the process that did not log it out, already refuses it.
    expect((await me(ended.token, second.url)).status).toBe(401);
    expect((await me(ended.token)).status).toBe(401);
    expect(await routesLettingIn(ended.token)).toEqual([]);
    expect((await refresh(ended.refreshToken, second.url)).status).toBe(401);
    expect((await me(kept.token, second.url)).status).toBe(200);
    // Logging out without a body is the same.
    expect((await api('/auth/logout', { method: 'POST', token: kept.token })).status).toBe(204);
    expect((await me(kept.token)).status).toBe(401);
  });

  it('a password change keeps this session, ends every other one, and the old password stops working', async () => {
    const account = await member();
    const current = await login(account.email, account.password);
    const other = await login(account.email, account.password, second.url);
    const wrong = await api('/auth/password', {
      method: 'POST',
      token: current.token,
      json: { currentPassword: 'not-the-password', newPassword: 'a-new-password-1' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(
      (
        await api('/auth/password', {
          method: 'POST',
          token: current.token,
          json: { currentPassword: account.password, newPassword: 'short' },
        })
      ).status,
    ).toBe(400);

    const newPassword = `new-${randomUUID()}`;
    expect(
      (
        await api('/auth/password', {
          method: 'POST',
          token: current.token,
          json: { currentPassword: account.password, newPassword },
          baseUrl: second.url,
        })
      ).status,
    ).toBe(204);
    expect((await me(current.token)).status).toBe(200);
    expect((await refresh(current.refreshToken)).status).toBe(200);
    expect(await routesLettingIn(other.token)).toEqual([]);
    expect((await refresh(other.refreshToken)).status).toBe(401);
    expect((await api('/auth/login', { method: 'POST', json: { email: account.email, password: account.password } })).status).toBe(401);
    await login(account.email, newPassword);
  });

  it('five wrong current passwords end the session that tried them', async () => {
    const account = await member();
    const grant = await login(account.email, account.password);
    const attempt = () =>
      api('/auth/password', { method: 'POST', token: grant.token, json: { currentPassword: 'guess-guess', newPassword: 'whatever-long' } });
    for (let i = 1; i < 5; i++) expect((await attempt()).body.error.code).toBe('INVALID_CREDENTIALS');
    const fifth = await attempt();
    expect(fifth.status).toBe(401);
    expect(fifth.body.error.code).toBe('UNAUTHORIZED');
    expect((await me(grant.token)).status).toBe(401);
    expect((await refresh(grant.refreshToken)).status).toBe(401);
    await login(account.email, account.password); // the password itself is unchanged
  });

  it("an admin's revocation ends every session of the member; members may not revoke, unknown members are 404", async () => {
    const target = await member();
    const bystander = await member();
    const sessions = [await login(target.email, target.password), await login(target.email, target.password, second.url)];
    const bystanderGrant = await login(bystander.email, bystander.password);
    const path = `/members/${target.memberId}/sessions/revoke`;
    expect((await api(path, { method: 'POST', token: bystanderGrant.token, json: {} })).status).toBe(403);
    expect((await api(path, { method: 'POST', json: {} })).status).toBe(401);
    expect((await api(`/members/${randomUUID()}/sessions/revoke`, { method: 'POST', token: await asAdmin(), json: {} })).status).toBe(404);
    expect((await api(path, { method: 'POST', token: await asAdmin(), json: {}, baseUrl: second.url })).status).toBe(204);
    for (const grant of sessions) {
      expect(await routesLettingIn(grant.token)).toEqual([]);
      expect((await refresh(grant.refreshToken)).status).toBe(401);
    }
    expect((await me(bystanderGrant.token)).status).toBe(200);
    expect((await me((await login(target.email, target.password)).token)).status).toBe(200); // a new login works
  });

  it('erasure ends every session of the member on every route, with the credentials', async () => {
    const account = await member();
    const grants = [await login(account.email, account.password), await login(account.email, account.password, second.url)];
    const accepted = await api('/members/me', { method: 'DELETE', token: grants[0]!.token });
    expect(accepted.status).toBe(202);
    const saga = await settledSaga(accepted.headers.get('location')!, 30_000, await asAdmin());
    expect(saga.status).toBe('COMPLETED');
    for (const grant of grants) {
      expect(await routesLettingIn(grant.token)).toEqual([]);
      expect((await refresh(grant.refreshToken)).status).toBe(401);
    }
    // The rent from the issue: an erased member's token can no longer start one.
    const { bookNo } = await newBook();
    expect((await api('/rentals', { method: 'POST', token: grants[1]!.token, json: { bookNo } })).status).toBe(401);
  });

  it('a codec session cookie ends with its sign-out', async () => {
    const form = new URLSearchParams({
      email: process.env.ADMIN_EMAIL ?? 'admin@library.local',
      password: process.env.ADMIN_PASSWORD ?? 'admin-password',
    });
    const signIn = await api('/codec/login', {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(signIn.status).toBe(200);
    const cookie = /codec_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
    const decode = () => api('/codec/decode', { method: 'POST', headers: { cookie }, json: { payloads: [] } });
    expect((await decode()).status).toBe(200);
    expect((await api('/codec/logout', { method: 'POST', headers: { cookie } })).status).toBe(200);
    expect((await decode()).status).toBe(401); // the same cookie, kept by someone: its session is over
  });

  it('a member who holds a book keeps a working session when erasure is refused', async () => {
    const account = await member();
    const grant = await login(account.email, account.password);
    const { bookNo } = await newBook();
    expect((await rent(grant.token, bookNo)).status).toBe('COMPLETED');
    const accepted = await api('/members/me', { method: 'DELETE', token: grant.token });
    const saga = await settledSaga(accepted.headers.get('location')!, 30_000, grant.token);
    expect(saga.failure).toMatchObject({ step: 'closeRentalCard', code: 'MEMBER_HOLDS_BOOKS' });
    expect((await me(grant.token)).status).toBe(200);
  });
});
