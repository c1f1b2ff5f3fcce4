/**
 * Login rate limiting over real sockets. Each test speaks from its own
 * loopback address (127.0.0.0/8 is all loopback on Linux), so the per-address
 * limit it exhausts is not the 127.0.0.1 the other suites use.
 */
import { describe, expect, it } from 'vitest';
import { freshLoopbackAddress, requestFrom, signupBody, signUp } from '../support/api.ts';

/** POST /auth/login from `localAddress`. */
async function loginFrom(localAddress: string, email: string, password: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ email, password });
  const response = await requestFrom(localAddress, 'POST', '/auth/login', {
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, retryAfter: response.headers['retry-after'] as string | undefined, body: JSON.parse(response.text) };
}

describe('login rate limit', () => {
  it('after 5 failures for one email, refuses even the right password with 429 and Retry-After, known email or not', async () => {
    const from = freshLoopbackAddress();
    const { body: member } = await signUp();
    const unknown = signupBody().email;
    for (const email of [member.email, unknown]) {
      for (let i = 0; i < 5; i++) expect((await loginFrom(from, email, 'wrong-password')).status).toBe(401);
    }
    const right = await loginFrom(from, member.email, member.password);
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('RATE_LIMITED');
    expect(Number(right.retryAfter)).toBeGreaterThan(14 * 60);
    expect(Number(right.retryAfter)).toBeLessThanOrEqual(15 * 60);
    const unknownAnswer = await loginFrom(from, unknown, 'wrong-password');
    expect(unknownAnswer.status).toBe(429);
    expect(unknownAnswer.body).toEqual({ ...right.body, error: { ...right.body.error, message: expect.any(String) } });
    // The lock is on the account, not on everyone: from another address it is locked too, other accounts are not.
    expect((await loginFrom(freshLoopbackAddress(), member.email, member.password)).status).toBe(429);
    const other = await signUp();
    expect((await loginFrom(from, other.body.email, other.body.password)).status).toBe(200);
  });

  it('after 20 failures from one address, refuses that address whatever the email; X-Forwarded-For does not help', async () => {
    const from = freshLoopbackAddress();
    const { body: member } = await signUp();
    for (let i = 0; i < 20; i++) {
      // A different email each time (never 5 on one) and a different forged client address each time.
      const answer = await loginFrom(from, signupBody().email, 'wrong-password', { 'x-forwarded-for': `198.51.100.${i}` });
      expect(answer.status).toBe(401);
    }
    const blocked = await loginFrom(from, member.email, member.password, { 'x-forwarded-for': '203.0.113.77' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect((await loginFrom(freshLoopbackAddress(), member.email, member.password)).status).toBe(200);
  });
});
