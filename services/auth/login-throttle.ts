/**
 * Login rate limit: failed logins are counted per account (email) and per
 * client address in a sliding window. Over either limit every attempt, with
 * the right password or not, is refused with a wait time until the oldest
 * failure leaves the window; an unknown email is counted like a known one,
 * so the limit reveals nothing about which accounts exist.
 *
 * An attempt counts as a failure from the moment it starts (and is taken back
 * when it succeeds), so parallel guesses cannot slip past the limit while
 * their passwords are being hashed.
 *
 * In memory: right for one API process. With several, each counts on its own
 * and the limits multiply by their number; they would share the counts in a
 * store (a table in auth's schema, or Redis) behind this same interface.
 */
export interface LoginLimits {
  windowMs: number;
  perEmail: number;
  perAddress: number;
  /** Keys kept at most; expired ones are swept first, then the oldest. */
  maxKeys: number;
}

export const LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perEmail: 5, perAddress: 20, maxKeys: 100_000 };

export type LoginAttempt =
  | { limited: true; retryAfterSeconds: number }
  | { limited: false; succeeded(): void; withdraw(): void };

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly limits: LoginLimits = LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts an attempt: refused when the email or the address is over its limit, else counted until it succeeds. */
  begin(email: string, address: string): LoginAttempt {
    const now = this.now();
    const keys = [`email:${email.toLowerCase()}`, `address:${address}`] as const;
    const limits = [this.limits.perEmail, this.limits.perAddress];
    const waits = keys.map((key, index) => this.#waitMs(key, limits[index]!, now));
    const wait = Math.max(...waits);
    if (wait > 0) return { limited: true, retryAfterSeconds: Math.ceil(wait / 1000) };
    for (const key of keys) this.#record(key, now);
    let settled = false;
    const takeBack = (key: string) => {
      const times = this.#failures.get(key);
      const index = times?.lastIndexOf(now) ?? -1;
      if (times && index >= 0) times.splice(index, 1);
    };
    return {
      limited: false,
      // A good password clears the account's count; the address keeps its other failures.
      succeeded: () => {
        if (settled) return;
        settled = true;
        this.#failures.delete(keys[0]);
        takeBack(keys[1]);
      },
      // Neither success nor a wrong password (the database was down, say): it does not count.
      withdraw: () => {
        if (settled) return;
        settled = true;
        keys.forEach(takeBack);
      },
    };
  }

  #waitMs(key: string, limit: number, now: number): number {
    const times = this.#prune(key, now);
    if (times.length < limit) return 0;
    // Allowed again once enough failures left the window that fewer than `limit` remain.
    return times[times.length - limit]! + this.limits.windowMs - now;
  }

  #prune(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (!times) return [];
    const fresh = times.filter((time) => time > now - this.limits.windowMs);
    if (fresh.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, fresh);
    return fresh;
  }

  #record(key: string, now: number): void {
    const times = this.#failures.get(key);
    if (times) times.push(now);
    else {
      if (this.#failures.size >= this.limits.maxKeys) this.#sweep(now);
      this.#failures.set(key, [now]);
    }
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#prune(key, now);
    for (const key of this.#failures.keys()) {
      if (this.#failures.size < this.limits.maxKeys) break;
      this.#failures.delete(key); // Map order: the longest-known keys go first
    }
  }
}
