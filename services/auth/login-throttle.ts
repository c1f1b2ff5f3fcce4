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
 * The counts are in auth's schema (db/rate-attempts.ts), shared by every API
 * process: two processes behind a load balancer allow no more than one.
 */
import type { RateStore } from './rate-window.ts';

export interface LoginLimits {
  windowMs: number;
  perEmail: number;
  perAddress: number;
}

export const LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perEmail: 5, perAddress: 20 };

export type LoginAttempt =
  | { limited: true; retryAfterSeconds: number }
  | { limited: false; succeeded(): Promise<void>; withdraw(): Promise<void> };

export class LoginThrottle {
  constructor(
    private readonly store: RateStore,
    readonly limits: LoginLimits = LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts an attempt: refused when the email or the address is over its limit, else counted until it succeeds. */
  async begin(email: string, address: string): Promise<LoginAttempt> {
    const emailKey = `login-email:${email.toLowerCase()}`;
    const taken = await this.store.take(
      [
        { key: emailKey, limit: this.limits.perEmail },
        { key: `login-address:${address}`, limit: this.limits.perAddress },
      ],
      this.limits.windowMs,
      this.now(),
    );
    if (taken.limited) return taken;
    const [, addressAttempt] = taken.ids;
    let settled = false;
    return {
      limited: false,
      // A good password clears the account's count; the address keeps its other failures.
      succeeded: async () => {
        if (settled) return;
        settled = true;
        await this.store.clear(emailKey);
        await this.store.remove([addressAttempt!]);
      },
      // Neither success nor a wrong password (the database was down, say): it does not count.
      withdraw: async () => {
        if (settled) return;
        settled = true;
        await this.store.remove(taken.ids);
      },
    };
  }
}
