/**
 * Signup rate limit: signups are counted per client address in a sliding
 * window, whether they go on to succeed or not (each costs a password hash and
 * a saga). Checked before the password is hashed, so a refused signup costs
 * one small query. Counted in auth's schema, shared by every API process.
 */
import { RetryLaterError } from '../platform/errors.ts';
import type { RateStore } from './rate-window.ts';

export interface SignupLimits {
  windowMs: number;
  perAddress: number;
}

export const SIGNUP_LIMITS: SignupLimits = { windowMs: 60 * 60_000, perAddress: 10 };

export class SignupThrottle {
  constructor(
    private readonly store: RateStore,
    readonly limits: SignupLimits = SIGNUP_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a signup from this address, or refuses it (429 RATE_LIMITED, Retry-After) when the address is over its limit. */
  async admit(address: string): Promise<void> {
    const taken = await this.store.take(
      [{ key: `signup-address:${address}`, limit: this.limits.perAddress }],
      this.limits.windowMs,
      this.now(),
    );
    if (taken.limited) {
      throw new RetryLaterError(
        'RATE_LIMITED',
        `too many signups from this address; try again in ${taken.retryAfterSeconds} s`,
        taken.retryAfterSeconds,
      );
    }
  }
}
