import { describe, expect, it } from 'vitest';
import { pickClientAddress } from '../platform/http/client-address.ts';
import { LoginThrottle, type LoginAttempt } from './login-throttle.ts';

const MINUTE = 60_000;
function throttleAt(start = 1_000_000) {
  const clock = { now: start };
  const throttle = new LoginThrottle({ windowMs: 15 * MINUTE, perEmail: 5, perAddress: 20, maxKeys: 1000 }, () => clock.now);
  return { throttle, clock };
}
const fail = (attempt: LoginAttempt) => expect(attempt.limited).toBe(false); // a started attempt that then fails: it stays counted
const limited = (attempt: LoginAttempt) => (attempt.limited ? attempt.retryAfterSeconds : 0);

describe('LoginThrottle', () => {
  it('refuses the 6th attempt on one email within 15 minutes, right password or not, and says how long to wait', () => {
    const { throttle, clock } = throttleAt();
    for (let i = 0; i < 5; i++) {
      fail(throttle.begin('ann@example.com', `10.0.0.${i}`));
      clock.now += MINUTE;
    }
    // First failure at t0; now t0 + 5 min: it leaves the window in 10 minutes.
    expect(limited(throttle.begin('ANN@example.com', '10.0.1.1'))).toBe(10 * 60);
    expect(limited(throttle.begin('bob@example.com', '10.0.1.1'))).toBe(0); // other accounts are not affected
    clock.now += 10 * MINUTE;
    expect(limited(throttle.begin('ann@example.com', '10.0.1.1'))).toBe(0);
  });

  it('refuses a client address after 20 failures, whatever emails it tries', () => {
    const { throttle, clock } = throttleAt();
    for (let i = 0; i < 20; i++) fail(throttle.begin(`user${i}@example.com`, '203.0.113.9'));
    clock.now += 30_000;
    expect(limited(throttle.begin('fresh@example.com', '203.0.113.9'))).toBe(15 * 60 - 30);
    expect(limited(throttle.begin('fresh@example.com', '203.0.113.10'))).toBe(0);
  });

  it('clears the account after a success, and a withdrawn attempt (an outage, not a wrong password) does not count', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 4; i++) fail(throttle.begin('ann@example.com', '10.0.0.1'));
    const good = throttle.begin('ann@example.com', '10.0.0.1');
    if (good.limited) throw new Error('should be allowed');
    good.succeeded();
    for (let i = 0; i < 5; i++) {
      const outage = throttle.begin('ann@example.com', '10.0.0.1');
      if (outage.limited) throw new Error('withdrawn attempts must not count');
      outage.withdraw();
    }
    for (let i = 0; i < 5; i++) fail(throttle.begin('ann@example.com', '10.0.0.1'));
    expect(limited(throttle.begin('ann@example.com', '10.0.0.1'))).toBeGreaterThan(0);
  });

  it('counts an attempt from its start, so parallel guesses cannot slip past the limit', () => {
    const { throttle } = throttleAt();
    const started = Array.from({ length: 8 }, () => throttle.begin('ann@example.com', '10.0.0.1'));
    expect(started.filter((attempt) => !attempt.limited)).toHaveLength(5);
  });

  it('keeps at most maxKeys keys', () => {
    const clock = { now: 0 };
    const throttle = new LoginThrottle({ windowMs: MINUTE, perEmail: 5, perAddress: 20, maxKeys: 10 }, () => clock.now);
    for (let i = 0; i < 100; i++) throttle.begin(`u${i}@example.com`, `10.0.${i}.1`);
    // Still works, and the newest keys are still counted.
    for (let i = 0; i < 4; i++) throttle.begin('u99@example.com', '10.9.9.9');
    expect(limited(throttle.begin('u99@example.com', '10.9.9.9'))).toBeGreaterThan(0);
  });
});

describe('client address', () => {
  it('is the socket address unless proxies are trusted', () => {
    expect(pickClientAddress('198.51.100.7', '203.0.113.1', 0)).toBe('198.51.100.7');
    expect(pickClientAddress('::ffff:198.51.100.7', undefined, 0)).toBe('198.51.100.7');
  });

  it('with N trusted proxies, is the entry N places from the end of X-Forwarded-For (what the client wrote is ignored)', () => {
    expect(pickClientAddress('10.0.0.2', '203.0.113.1', 1)).toBe('203.0.113.1');
    expect(pickClientAddress('10.0.0.2', 'forged-by-client, 203.0.113.1', 1)).toBe('203.0.113.1');
    expect(pickClientAddress('10.0.0.3', 'forged, 203.0.113.1, 10.0.0.2', 2)).toBe('203.0.113.1');
    expect(pickClientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
  });
});
