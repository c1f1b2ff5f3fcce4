/**
 * Walks every route of the OpenAPI document as five callers (nobody, a forged
 * token, another member, the owner, an admin) and checks each answer. A route
 * added to the API without a line in ACCESS below fails the first test, so no
 * endpoint ships without someone deciding who may call it.
 */
import { sign } from 'hono/jwt';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, logIn, signUp, signupBody } from '../support/api.ts';
import { uniqueBookNo } from '../support/events.ts';
import { asAdmin, card, clearOverdue, giveBack, newBook, newMember, rent, runSaga } from '../support/library.ts';

type Caller = 'nobody' | 'forged' | 'other' | 'owner' | 'admin';
const CALLERS: Caller[] = ['nobody', 'forged', 'other', 'owner', 'admin'];

interface Fixtures {
  owner: {
    memberId: string;
    email: string;
    password: string;
    signupId: string;
    rentalId: string;
    returnId: string;
    clearanceId: string;
    settlementId: string;
  };
  bookNo: number;
  /** A book only the admin withdraws during the walk. */
  withdrawableBookNo: number;
  /** A member only the admin erases during the walk. */
  erasable: string;
  /** A member whose sessions only the admin revokes during the walk. */
  revocable: string;
  tokens: Record<Caller, string | undefined>;
  /** Second sessions of the callers, for the routes that end the session they are called with. */
  spare: Record<Caller, string | undefined>;
  /** Unused refresh tokens of the owner, one per call. */
  refreshTokens: string[];
  passwords: { other: string; owner: string };
}

interface Access {
  /** Path parameters, from the fixtures. */
  params?: (f: Fixtures) => Record<string, string | number>;
  body?: (f: Fixtures, caller: Caller) => unknown;
  /** The token each caller sends, when not its walk token. */
  token?: (f: Fixtures, caller: Caller) => string | undefined;
  /** The status each caller gets; `forged` always gets what `nobody` gets. */
  expect: Record<Exclude<Caller, 'forged'>, number>;
  /** Anyone may call it (no bearer security in the document). */
  open?: boolean;
}

const OPEN = (status: number) => ({ nobody: status, other: status, owner: status, admin: status });
const MEMBER_SELF = (admin: number, status = 200) => ({ nobody: 401, other: status, owner: status, admin });
const OWNER_ONLY = { nobody: 401, other: 404, owner: 200, admin: 200 }; // 404, not 403: another member's ids do not leak
const ADMIN_ONLY = (status: number) => ({ nobody: 401, other: 403, owner: 403, admin: status });

const ACCESS: Record<string, Access> = {
  'POST /signups': { open: true, body: () => signupBody(), expect: OPEN(202) },
  'GET /signups/{id}': { open: true, params: (f) => ({ id: f.owner.signupId }), expect: OPEN(200) }, // anyone holding the id (API.md)
  // Anyone holding the mailed link; without its token (the walk has none) the answer is the same 400 for every caller.
  'GET /signups/{id}/verify': { open: true, params: (f) => ({ id: f.owner.signupId }), expect: OPEN(400) },
  'POST /auth/login': { open: true, body: (f) => ({ email: f.owner.email, password: f.owner.password }), expect: OPEN(200) },
  // Anyone holding a refresh token: each call spends a fresh one.
  'POST /auth/refresh': { open: true, body: (f) => ({ refreshToken: f.refreshTokens.pop() }), expect: OPEN(200) },
  // Each caller logs out a second session of its own, so the walk's tokens live on.
  'POST /auth/logout': {
    token: (f, caller) => (caller === 'forged' ? f.tokens.forged : f.spare[caller]),
    body: () => ({}),
    expect: MEMBER_SELF(204, 204),
  },
  // A member changes its password to the same one (its other sessions end: after the logout walk). The admin account's
  // password is shared by every suite, so the admin shows it reaches the check with a wrong current password.
  'POST /auth/password': {
    body: (f, caller) => {
      const password = caller === 'owner' ? f.passwords.owner : caller === 'other' ? f.passwords.other : 'not-the-admin-password';
      return { currentPassword: password, newPassword: password };
    },
    expect: { nobody: 401, other: 204, owner: 204, admin: 401 },
  },
  'POST /members/{memberId}/sessions/revoke': { params: (f) => ({ memberId: f.revocable }), body: () => ({}), expect: ADMIN_ONLY(204) },
  'GET /books': { open: true, expect: OPEN(200) },
  'GET /books/best': { open: true, expect: OPEN(200) },
  'GET /books/{bookNo}': { open: true, params: (f) => ({ bookNo: f.bookNo }), expect: OPEN(200) },
  'GET /health': { open: true, expect: OPEN(200) },
  'POST /books': { body: () => ({ title: `Walk ${randomUUID().slice(0, 6)}`, author: 'W' }), expect: ADMIN_ONLY(201) },
  'PATCH /books/{bookNo}': { params: (f) => ({ bookNo: f.bookNo }), body: () => ({ author: 'Walked' }), expect: ADMIN_ONLY(200) },
  'DELETE /books/{bookNo}': { params: (f) => ({ bookNo: f.withdrawableBookNo }), expect: ADMIN_ONLY(200) },
  'GET /members/me/sagas': { expect: MEMBER_SELF(200) },
  // The admin account has credentials but no member profile or rental card.
  'GET /members/me': { expect: MEMBER_SELF(404) },
  'GET /members/me/rental-card': { expect: MEMBER_SELF(404) },
  'GET /members/me/history': { expect: MEMBER_SELF(200) },
  'GET /members/me/notices': { expect: MEMBER_SELF(200) },
  // A book rental has never heard of is refused before any saga (404 BOOK_NOT_FOUND).
  'POST /rentals': { body: () => ({ bookNo: uniqueBookNo() }), expect: MEMBER_SELF(404, 404) },
  // Sagas on the caller's own card: a book the caller does not hold makes them start (202) and undo themselves.
  'POST /returns': { body: () => ({ bookNo: uniqueBookNo() }), expect: MEMBER_SELF(202, 202) },
  'POST /members/me/rental-card/clear-overdue': { body: () => ({}), expect: MEMBER_SELF(202, 202) },
  'GET /rentals/{id}': { params: (f) => ({ id: f.owner.rentalId }), expect: OWNER_ONLY },
  'GET /returns/{id}': { params: (f) => ({ id: f.owner.returnId }), expect: OWNER_ONLY },
  'GET /clear-overdue/{id}': { params: (f) => ({ id: f.owner.clearanceId }), expect: OWNER_ONLY },
  'GET /fee-settlements/{id}': { params: (f) => ({ id: f.owner.settlementId }), expect: OWNER_ONLY },
  // The owner's book is back (the return saga refuses NOT_RENTED) and the fee settled (409 NOTHING_TO_CLEAR at once).
  'POST /members/{memberId}/returns': {
    params: (f) => ({ memberId: f.owner.memberId }),
    body: (f) => ({ bookNo: f.bookNo }),
    expect: ADMIN_ONLY(202),
  },
  'POST /members/{memberId}/fees/settle': {
    params: (f) => ({ memberId: f.owner.memberId }),
    body: () => ({ reason: 'walked' }),
    expect: ADMIN_ONLY(409),
  },
  'GET /partners/{memberId}/summary': {
    params: (f) => ({ memberId: f.owner.memberId }),
    expect: { nobody: 401, other: 403, owner: 200, admin: 200 },
  },
  'POST /codec/decode': { body: () => ({ payloads: [] }), expect: ADMIN_ONLY(200) },
  'POST /codec/encode': { body: () => ({ payloads: [] }), expect: ADMIN_ONLY(200) },
  // Erasure last: it removes members. An admin erases a throwaway member; the admin account cannot erase itself.
  'DELETE /members/{memberId}': { params: (f) => ({ memberId: f.erasable }), expect: ADMIN_ONLY(202) },
  'GET /erasures/{id}': { params: (f) => ({ id: f.erasable }), expect: { nobody: 401, other: 404, owner: 404, admin: 200 } },
  'DELETE /members/me': { expect: { nobody: 401, other: 202, owner: 202, admin: 403 } },
};

let doc: { paths: Record<string, Record<string, { security?: unknown[] }>> };
let fixtures: Fixtures;

beforeAll(async () => {
  doc = (await api('/openapi.json')).body;
  const owner = signupBody({ role: 'PARTNER' });
  const { accepted, saga } = await signUp(owner);
  const ownerToken = await logIn(owner.email, owner.password);
  const { bookNo } = await newBook();
  const rented = await rent(ownerToken, bookNo);
  const returned = await giveBack(ownerToken, bookNo);
  const cleared = await clearOverdue(ownerToken); // nothing to clear: compensated, still the owner's saga
  // A late fee the admin settles: the owner keeps a book past its due date (8 s loans, 2 s fee days in the test stack).
  const late = await newBook();
  await rent(ownerToken, late.bookNo);
  await eventually(async () => ((await card(ownerToken)).rentStatus === 'SUSPENDED' ? true : undefined), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await giveBack(ownerToken, late.bookNo);
  const settled = await runSaga(`/members/${saga.memberId}/fees/settle`, await asAdmin(), { reason: 'paid at the desk' });
  const withdrawable = await newBook();
  const other = await signUp();
  const erasable = await signUp();
  const revocable = await signUp();
  const login = async (email: string, password: string) => (await api('/auth/login', { method: 'POST', json: { email, password } })).body;
  const refreshTokens = await Promise.all(CALLERS.map(async () => (await login(owner.email, owner.password)).refreshToken as string));
  const adminEmail = process.env.ADMIN_EMAIL ?? 'admin@library.local';
  const adminPassword = process.env.ADMIN_PASSWORD ?? 'admin-password';
  await eventually(async () =>
    (await api(`/partners/${saga.memberId}/summary`, { token: ownerToken })).status === 200 ? true : undefined,
  );
  const now = Math.floor(Date.now() / 1000);
  fixtures = {
    owner: {
      memberId: saga.memberId,
      email: owner.email,
      password: owner.password,
      signupId: accepted.body.id,
      rentalId: rented.id,
      returnId: returned.id,
      clearanceId: cleared.id,
      settlementId: settled.id,
    },
    bookNo,
    withdrawableBookNo: withdrawable.bookNo,
    erasable: erasable.saga.memberId,
    revocable: revocable.saga.memberId,
    refreshTokens,
    passwords: { owner: owner.password, other: other.body.password },
    spare: {
      nobody: undefined,
      forged: undefined,
      other: await logIn(other.body.email, other.body.password),
      owner: await logIn(owner.email, owner.password),
      admin: (await login(adminEmail, adminPassword)).token,
    },
    tokens: {
      nobody: undefined,
      // Right shape, admin role, a session id, wrong key.
      forged: await sign(
        { sub: saga.memberId, role: 'ADMIN', sid: randomUUID(), iat: now, exp: now + 600 },
        'an-attacker-guessed-secret-0123456789',
        'HS256',
      ),
      other: await logIn(other.body.email, other.body.password),
      owner: ownerToken,
      admin: await asAdmin(),
    },
  };
}, 120_000);

const routes = () =>
  Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));

describe('authorisation of every route in the OpenAPI document', () => {
  it('every documented route has an access rule, and only open routes are documented without bearer security', () => {
    expect(routes().sort()).toEqual(Object.keys(ACCESS).sort());
    for (const route of routes()) {
      const [method, path] = route.split(' ') as [string, string];
      const secured = (doc.paths[path]![method.toLowerCase()]!.security ?? []).length > 0;
      expect(secured, route).toBe(!ACCESS[route]!.open);
    }
  });

  it("a member's own resources answer the member, not another one (before the walk starts sagas of its own)", async () => {
    const { tokens, owner } = fixtures;
    expect((await api('/members/me', { token: tokens.owner })).body.memberId).toBe(owner.memberId);
    expect((await api('/members/me', { token: tokens.other })).body.memberId).not.toBe(owner.memberId);
    expect(
      (await api('/members/me/rental-card', { token: tokens.owner })).body.returned.map((item: { rentalId: string }) => item.rentalId),
    ).toContain(owner.rentalId);
    expect((await api('/members/me/rental-card', { token: tokens.other })).body).toMatchObject({ rented: [], returned: [] });
    expect((await api('/members/me/history', { token: tokens.other })).body).toEqual([]);
  });

  it.each(Object.keys(ACCESS))('%s answers each caller as its rule says', async (route) => {
    const [method, template] = route.split(' ') as [string, string];
    const rule = ACCESS[route]!;
    const params = rule.params?.(fixtures) ?? {};
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
    for (const caller of CALLERS) {
      const token = rule.token ? rule.token(fixtures, caller) : fixtures.tokens[caller];
      const response = await api(path, {
        method,
        ...(token ? { token } : {}),
        ...(rule.body ? { json: rule.body(fixtures, caller) } : {}),
      });
      const expected = rule.expect[caller === 'forged' ? 'nobody' : caller];
      expect(response.status, `${route} as ${caller}: ${JSON.stringify(response.body)?.slice(0, 200)}`).toBe(expected);
      if (response.status >= 400) expect(response.body.error.code, `${route} as ${caller}`).toMatch(/^[A-Z_]+$/);
      // Whatever another member is allowed to call tells them nothing about the owner.
      if (caller === 'other' && !rule.open) {
        const text = JSON.stringify(response.body) ?? ''; // a 204 has no body
        const owners = [
          fixtures.owner.memberId,
          fixtures.owner.email,
          fixtures.owner.rentalId,
          fixtures.owner.returnId,
          fixtures.owner.clearanceId,
          fixtures.owner.settlementId,
        ];
        for (const secret of owners.filter((value) => !path.includes(value))) {
          expect(text, `${route} as other`).not.toContain(secret); // what the caller sent may come back in a message
        }
      }
    }
  });
});

describe('operations console (HTML, outside the OpenAPI document)', () => {
  // Anonymous and forged callers get the sign-in page (401), members 403, an admin the console.
  const expected: Record<Caller, number> = { nobody: 401, forged: 401, other: 403, owner: 403, admin: 200 };
  // The walk above logs 'other' out and erases them: the console's members sign in afresh.
  const tokens: Partial<Record<Caller, string>> = {};
  beforeAll(async () => {
    const [other, owner] = await Promise.all([newMember(), newMember()]);
    Object.assign(tokens, fixtures.tokens, { other: other.token, owner: owner.token });
  }, 120_000);
  for (const path of ['/ops', '/ops/topics', '/ops/topics/book.book-changed.v1']) {
    it(`GET ${path}`, { timeout: 120_000 }, async () => {
      for (const caller of CALLERS) {
        const token = tokens[caller];
        const { status, headers } = await api(path, token ? { token } : {});
        expect(status, `${caller} GET ${path}`).toBe(expected[caller]);
        expect(headers.get('content-security-policy'), path).toContain("default-src 'none'");
        // The console's forms post with their Origin (under no-referrer a browser sends `Origin: null`).
        expect(headers.get('referrer-policy'), path).toBe('same-origin');
      }
    });
  }
  it('POST actions refuse members and anonymous callers', async () => {
    for (const action of ['redrive', 'discard']) {
      for (const caller of ['nobody', 'forged', 'other'] as const) {
        const token = tokens[caller];
        const { status } = await api(`/ops/dead-letters/book.book-changed.v1/${action}`, { method: 'POST', ...(token ? { token } : {}) });
        expect(status, `${caller} ${action}`).toBe(expected[caller]);
      }
    }
    // An admin reaches the action; a discard without a reason is refused before anything is settled.
    const { status } = await api('/ops/dead-letters/book.book-changed.v1/discard', { method: 'POST', token: tokens.admin! });
    expect(status, 'admin discard without a reason').toBe(400);
    // A post from another origin is refused, admin or not (the cookie is SameSite=Strict as well).
    const foreign = await api('/ops/dead-letters/book.book-changed.v1/discard', {
      method: 'POST',
      token: tokens.admin!,
      headers: { origin: 'http://elsewhere.example' },
    });
    expect(foreign.status, 'admin discard from another origin').toBe(403);
  });
});
