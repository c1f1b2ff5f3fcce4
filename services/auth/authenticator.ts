/** Auth's side of the platform's ports (services/platform/http/authenticator.ts); processes/api.ts wires them in. */
import type { Db } from '../platform/db.ts';
import type { Authenticator, PasswordSignIn } from '../platform/http/authenticator.ts';
import { throttledLogin, verifyToken } from './login.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { endSession } from './sessions.ts';
import type { TokenOptions } from './tokens.ts';

/** Bearer tokens checked against their session on every call (no cache: a revocation counts at once in every process). */
export function bearerAuthenticator(tokens: TokenOptions): Authenticator {
  return {
    verify: (token) => verifyToken(tokens, token),
    isLive: (sessionId, memberId) => tokens.sessions.isLive(sessionId, memberId),
  };
}

/** The login of POST /auth/login (same rate limit, same refusals) for the server-rendered sign-in pages. */
export function passwordSignIn(deps: { db: Db; tokens: TokenOptions; throttle: LoginThrottle }): PasswordSignIn {
  return {
    async signIn(attempt, options) {
      const { token, sessionId } = await throttledLogin(deps.db, deps.tokens, deps.throttle, attempt, options);
      return { principal: await verifyToken(deps.tokens, token), sessionId };
    },
    endSession: (sessionId) => endSession(deps.db, sessionId),
  };
}
