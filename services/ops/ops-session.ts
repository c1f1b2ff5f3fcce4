/**
 * Who may open the operations console: an admin bearer token, or the console's
 * session cookie set by signing in at GET /ops (the same mechanism as the
 * codec's sign-in, services/platform/http/codec-session.ts: an HttpOnly,
 * SameSite=Strict cookie scoped to /ops, signed with a key derived from
 * JWT_SECRET for this purpose only).
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { sign, verify } from 'hono/jwt';
import { verifyToken, type TokenOptions } from '../auth/login.ts';

export const OPS_SESSION_COOKIE = 'ops_session';
export const OPS_SESSION_SECONDS = 8 * 3600;
const AUDIENCE = 'ops-console';
const sessionKey = (tokens: TokenOptions) => createHmac('sha256', tokens.secret).update('ops-session').digest('base64url');

export async function startOpsSession(c: Context, tokens: TokenOptions, memberId: string, sessionId: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // The cookie names the login's session (auth.session): a logout, a revocation or an erasure ends the console too.
  const token = await sign({ sub: memberId, sid: sessionId, aud: AUDIENCE, iat: now, exp: now + OPS_SESSION_SECONDS }, sessionKey(tokens), 'HS256');
  setCookie(c, OPS_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/ops',
    maxAge: OPS_SESSION_SECONDS,
    secure: new URL(c.req.url).protocol === 'https:',
  });
}

/** 'admin' with a console session or an admin bearer token, 'member' with a member's token, else 'nobody'. */
export async function opsCaller(c: Context, tokens: TokenOptions): Promise<'admin' | 'member' | 'nobody'> {
  const cookie = getCookie(c, OPS_SESSION_COOKIE);
  if (cookie) {
    try {
      const claims = await verify(cookie, sessionKey(tokens), 'HS256');
      if (claims.aud === AUDIENCE && typeof claims.sid === 'string' && typeof claims.sub === 'string' && (await tokens.sessions.isLive(claims.sid, claims.sub))) {
        return 'admin';
      }
    } catch {
      // expired or forged: as if absent
    }
  }
  const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!bearer) return 'nobody';
  try {
    return (await verifyToken(tokens, bearer)).role === 'ADMIN' ? 'admin' : 'member';
  } catch {
    return 'nobody';
  }
}
