/**
 * Sliding-window counting shared by the login and signup limits. The counts
 * live in a store every API process shares (auth.rate_attempt, see
 * db/rate-attempts.ts): with several API processes behind a load balancer the
 * limits hold for the whole system, not per process.
 */
export interface CountedKey {
  /** What is counted, e.g. `login-email:ann@example.com`; the store keeps only its hash. */
  key: string;
  /** Attempts allowed in the window. */
  limit: number;
}

export type Taken = { limited: true; retryAfterSeconds: number } | { limited: false; ids: bigint[] };

export interface RateStore {
  /**
   * Atomically across processes: when every key has fewer than its limit of
   * attempts in the window, records one attempt for each (ids in key order);
   * otherwise records nothing and says how long until all are under again.
   */
  take(keys: readonly CountedKey[], windowMs: number, now: number): Promise<Taken>;
  /** Forgets these attempts (a withdrawn or succeeded login). */
  remove(ids: readonly bigint[]): Promise<void>;
  /** Forgets every attempt on this key (an account's failures after a good password). */
  clear(key: string): Promise<void>;
}

/**
 * How long until fewer than `limit` of these attempt times are in the window
 * ending at `now`; 0 when that is already so.
 */
export function windowWaitMs(times: readonly number[], limit: number, windowMs: number, now: number): number {
  const fresh = times.filter((time) => time > now - windowMs).sort((a, b) => a - b);
  if (fresh.length < limit) return 0;
  // Allowed again once enough attempts left the window that fewer than `limit` remain.
  return fresh[fresh.length - limit]! + windowMs - now;
}
