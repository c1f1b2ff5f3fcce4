/**
 * Abuse limits with two API processes, as behind a load balancer: login and
 * signup counts live in auth's schema, so what one process counted the other
 * sees; the cap on password hashes running at once is each process's own.
 * Each test speaks from its own loopback address (127.0.0.0/8 is all loopback).
 */
import { request } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../services/auth/db/rate-attempts.ts';
import { freshLoopbackAddress, signUp, signupBody, stack } from '../support/api.ts';
import { startSecondApi, stopSecondApi } from '../support/control.ts';

interface Answer {
  status: number;
  retryAfter?: string;
  body: { error?: { code: string; message: string; details: unknown[] }; id?: string };
}

/** POST `path` on the api at `baseUrl`, from `localAddress`. */
function postFrom(baseUrl: string, localAddress: string, path: string, json: unknown): Promise<Answer> {
  const url = new URL(baseUrl + path);
  const body = JSON.stringify(json);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'idempotency-key': crypto.randomUUID(),
  };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, agent: false, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const first = () => stack().apiUrl;
const second = () => stack().secondApiUrl;
const login = (api: string, from: string, email: string, password: string) => postFrom(api, from, '/auth/login', { email, password });

/** The one error shape, with the machine-readable code and Retry-After. */
function expectRetryLater(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ error: { code, message: expect.any(String), details: [] } });
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
}

beforeAll(async () => {
  // The second api keeps the real signup limit (the stack's raises it for the other suites) and
  // runs one password hash at a time with none waiting, so its cap shows with a small burst.
  await startSecondApi({ SIGNUP_LIMIT_PER_ADDRESS: '3', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' });
}, 240_000);
afterAll(async () => {
  await stopSecondApi();
});

describe('abuse limits across two API processes', () => {
  it('login failures counted by one process lock the account on the other: 3 + 2 failures reach the limit of 5', async () => {
    const from = freshLoopbackAddress();
    const { body: member } = await signUp();
    for (let i = 0; i < 3; i++) expect((await login(first(), from, member.email, 'wrong-password')).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await login(second(), from, member.email, 'wrong-password')).status).toBe(401);
    // Each process alone counted fewer than 5; together they reached it, so even the right password is refused, on both.
    const right = await login(second(), from, member.email, member.password);
    expectRetryLater(right, 429, 'RATE_LIMITED');
    expect(Number(right.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expectRetryLater(await login(first(), freshLoopbackAddress(), member.email, member.password), 429, 'RATE_LIMITED');
    // The shared counts hold no email and no address, only their hashes.
    const db = new pg.Pool({ connectionString: stack().databaseUrl, max: 1 });
    try {
      const count = async (sql: string, value: string) => (await db.query(sql, [value])).rows[0].n as number;
      expect(await count(`SELECT count(*)::int AS n FROM auth.rate_attempt WHERE key = $1`, hashKey(`login-email:${member.email}`))).toBe(
        5,
      );
      expect(
        await count(`SELECT count(*)::int AS n FROM auth.rate_attempt WHERE rate_attempt::text ILIKE '%' || $1 || '%'`, member.email),
      ).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM auth.rate_attempt WHERE rate_attempt::text LIKE '%' || $1 || '%'`, from)).toBe(0);
    } finally {
      await db.end();
    }
  });

  it('signups are limited per client address, counted across both processes, and refused before any hashing', async () => {
    const from = freshLoopbackAddress();
    // Two through the first api (whose limit the stack raised) and one through the second: three from this address.
    for (const api of [first(), first(), second()]) expect((await postFrom(api, from, '/signups', signupBody())).status).toBe(202);
    const refused = await postFrom(second(), from, '/signups', signupBody());
    expectRetryLater(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.retryAfter)).toBeGreaterThan(59 * 60);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60 * 60);
    // Another address is not affected.
    expect((await postFrom(second(), freshLoopbackAddress(), '/signups', signupBody())).status).toBe(202);
  });

  it('caps the password hashes running at once in a process: a burst past the cap is refused with 503 SERVER_BUSY and Retry-After', async () => {
    const from = freshLoopbackAddress();
    // Unknown emails: each login still hashes (the decoy), each email is fresh, fewer than 20 failures from the address.
    const burst = await Promise.all(Array.from({ length: 10 }, () => login(second(), from, signupBody().email, 'wrong-password')));
    const statuses = burst.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 401).length, statuses.join(',')).toBeGreaterThanOrEqual(1);
    const busy = burst.filter((answer) => answer.status === 503);
    expect(busy.length, statuses.join(',')).toBeGreaterThanOrEqual(1);
    for (const answer of busy) expectRetryLater(answer, 503, 'SERVER_BUSY');
    expect(
      statuses.every((status) => status === 401 || status === 503),
      statuses.join(','),
    ).toBe(true);
    // A refused attempt was not counted as a login failure, and the cap is free again once the burst is over.
    expect((await login(second(), from, signupBody().email, 'wrong-password')).status).toBe(401);
  });
});
