import { describe, expect, it } from 'vitest';
import { pickClientAddress } from '../platform/http/client-address.ts';
import { LoginThrottle, type LoginAttempt } from './login-throttle.ts';
import { windowWaitMs, type CountedKey, type RateStore, type Taken } from './rate-window.ts';

/** The store's contract in memory (the real one, auth.rate_attempt, is exercised by test/e2e/abuse-limits.e2e.test.ts). */
class MemoryRateStore implements RateStore {
  readonly attempts = new Map<bigint, { key: string; at: number }>();
  #next = 1n;
  async take(keys: readonly CountedKey[], windowMs: number, now: number): Promise<Taken> {
    const times = (key: string) => [...this.attempts.values()].filter((attempt) => attempt.key === key).map((attempt) => attempt.at);
    const waitMs = Math.max(...keys.map(({ key, limit }) => windowWaitMs(times(key), limit, windowMs, now)));
    if (waitMs > 0) return { limited: true, retryAfterSeconds: Math.ceil(waitMs / 1000) };
    return { limited: false, ids: keys.map(({ key }) => this.#add(key, now)) };
  }
  async remove(ids: readonly bigint[]) {
    for (const id of ids) this.attempts.delete(id);
  }
  async clear(key: string) {
    for (const [id, attempt] of this.attempts) if (attempt.key === key) this.attempts.delete(id);
  }
  #add(key: string, at: number) {
    const id = this.#next++;
    this.attempts.set(id, { key, at });
    return id;
  }
}

const MINUTE = 60_000;
function throttleAt(start = 1_000_000) {
  const clock = { now: start };
  const throttle = new LoginThrottle(new MemoryRateStore(), { windowMs: 15 * MINUTE, perEmail: 5, perAddress: 20 }, () => clock.now);
  return { throttle, clock };
}
const fail = async (attempt: Promise<LoginAttempt>) => expect((await attempt).limited).toBe(false); // a started attempt that then fails: it stays counted
const limited = async (attempt: Promise<LoginAttempt>) => {
  const started = await attempt;
  return started.limited ? started.retryAfterSeconds : 0;
};

describe('windowWaitMs', () => {
  it('is 0 under the limit, else the time until the attempt that makes the limit leaves the window', () => {
    expect(windowWaitMs([], 1, 1000, 5000)).toBe(0);
    expect(windowWaitMs([4500], 2, 1000, 5000)).toBe(0);
    expect(windowWaitMs([4500, 4800], 2, 1000, 5000)).toBe(500);
    expect(windowWaitMs([4800, 4500, 3000], 2, 1000, 5000)).toBe(500); // any order; outside the window does not count
    expect(windowWaitMs([4100, 4500, 4800], 2, 1000, 5000)).toBe(500);
  });
});

describe('LoginThrottle', () => {
  it('refuses the 6th attempt on one email within 15 minutes, right password or not, and says how long to wait', async () => {
    const { throttle, clock } = throttleAt();
    for (let i = 0; i < 5; i++) {
      await fail(throttle.begin('ann@example.com', `10.0.0.${i}`));
      clock.now += MINUTE;
    }
    // First failure at t0; now t0 + 5 min: it leaves the window in 10 minutes.
    expect(await limited(throttle.begin('ANN@example.com', '10.0.1.1'))).toBe(10 * 60);
    expect(await limited(throttle.begin('bob@example.com', '10.0.1.1'))).toBe(0); // other accounts are not affected
    clock.now += 10 * MINUTE;
    expect(await limited(throttle.begin('ann@example.com', '10.0.1.1'))).toBe(0);
  });

  it('refuses a client address after 20 failures, whatever emails it tries', async () => {
    const { throttle, clock } = throttleAt();
    for (let i = 0; i < 20; i++) await fail(throttle.begin(`user${i}@example.com`, '203.0.113.9'));
    clock.now += 30_000;
    expect(await limited(throttle.begin('fresh@example.com', '203.0.113.9'))).toBe(15 * 60 - 30);
    expect(await limited(throttle.begin('fresh@example.com', '203.0.113.10'))).toBe(0);
  });

  it('clears the account after a success, and a withdrawn attempt (an outage, not a wrong password) does not count', async () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 4; i++) await fail(throttle.begin('ann@example.com', '10.0.0.1'));
    const good = await throttle.begin('ann@example.com', '10.0.0.1');
    if (good.limited) throw new Error('should be allowed');
    await good.succeeded();
    for (let i = 0; i < 5; i++) {
      const outage = await throttle.begin('ann@example.com', '10.0.0.1');
      if (outage.limited) throw new Error('withdrawn attempts must not count');
      await outage.withdraw();
    }
    for (let i = 0; i < 5; i++) await fail(throttle.begin('ann@example.com', '10.0.0.1'));
    expect(await limited(throttle.begin('ann@example.com', '10.0.0.1'))).toBeGreaterThan(0);
  });

  it('counts an attempt from its start, so parallel guesses cannot slip past the limit', async () => {
    const { throttle } = throttleAt();
    const started = await Promise.all(Array.from({ length: 8 }, () => throttle.begin('ann@example.com', '10.0.0.1')));
    expect(started.filter((attempt) => !attempt.limited)).toHaveLength(5);
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
