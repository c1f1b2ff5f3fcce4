/**
 * Bearer tokens: short HS256 JWTs naming the member, the role and the session
 * (`sid`). The signature alone is not enough: every token is checked against
 * its session on every request (verifyToken in login.ts), so a revoked session's tokens
 * stop working at once, in every API process.
 */
import { sign } from 'hono/jwt';
import type { TPrincipal } from '../contracts/principal.ts';

export { ZPrincipal, ZRole, type TPrincipal } from '../contracts/principal.ts';

/** Answers whether a session still lets its tokens in (sessions.ts; one primary-key lookup). */
export interface SessionCheck {
  isLive(sessionId: string, memberId: string): Promise<boolean>;
}

export interface TokenOptions {
  secret: string;
  /** Bearer token lifetime. */
  ttlSeconds: number;
  /** Refresh token lifetime: a session nobody refreshes for this long ends. */
  refreshTtlSeconds: number;
  sessions: SessionCheck;
}

export async function issueAccessToken(tokens: TokenOptions, principal: TPrincipal, now = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return sign(
    { sub: principal.memberId, role: principal.role, sid: principal.sessionId, iat: issuedAt, exp: issuedAt + tokens.ttlSeconds },
    tokens.secret,
    'HS256',
  );
}
