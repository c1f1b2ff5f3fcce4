/**
 * What the HTTP layer needs from whoever issues credentials, without knowing
 * who that is: the platform declares these ports, the auth service implements
 * them (services/auth/authenticator.ts) and processes/api.ts wires one into the other.
 */
import type { TPrincipal } from '../../contracts/principal.ts';

export interface Authenticator {
  /** The principal of a bearer token whose signature holds, that has not expired and whose session is live; else AppError UNAUTHORIZED. */
  verify(token: string): Promise<TPrincipal>;
  /** Whether a session still lets its tokens (and the cookies that name it) in. */
  isLive(sessionId: string, memberId: string): Promise<boolean>;
}

/** A password sign-in for the server-rendered pages (the codec's and the operations console's). */
export interface PasswordSignIn {
  /**
   * Checks the password behind the login rate limit and opens a session living
   * `lifetimeSeconds`. Refusals: AppError INVALID_CREDENTIALS, RetryLaterError
   * RATE_LIMITED (over the limit), and whatever else a login may answer.
   */
  signIn(
    attempt: { email: string; password: string; address: string },
    options: { lifetimeSeconds: number },
  ): Promise<{ principal: TPrincipal; sessionId: string }>;
  /** Ends a session: every token and cookie naming it stops working. */
  endSession(sessionId: string): Promise<void>;
}
