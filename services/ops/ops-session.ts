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
import type { Authenticator } from '../platform/http/authenticator.ts';

/** `secret` is JWT_SECRET: the cookie's key is derived from it for this purpose only. */
export interface OpsKeys {
  auth: Authenticator;
  secret: string;
}

export const OPS_SESSION_COOKIE = 'ops_session';
export const OPS_SESSION_SECONDS = 8 * 3600;
const AUDIENCE = 'ops-console';
const sessionKey = (secret: string) => createHmac('sha256', secret).update('ops-session').digest('base64url');

export async function startOpsSession(c: Context, secret: string, memberId: string, sessionId: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // The cookie names the login's session (auth.session): a logout, a revocation or an erasure ends the console too.
  const token = await sign(
    { sub: memberId, sid: sessionId, aud: AUDIENCE, iat: now, exp: now + OPS_SESSION_SECONDS },
    sessionKey(secret),
    'HS256',
  );
  setCookie(c, OPS_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/ops',
    maxAge: OPS_SESSION_SECONDS,
    secure: new URL(c.req.url).protocol === 'https:',
  });
}

/** 'admin' with a console session or an admin bearer token, 'member' with a member's token, else 'nobody'. */
export async function opsCaller(c: Context, keys: OpsKeys): Promise<'admin' | 'member' | 'nobody'> {
  const cookie = getCookie(c, OPS_SESSION_COOKIE);
  if (cookie) {
    try {
      const claims = await verify(cookie, sessionKey(keys.secret), 'HS256');
      if (
        claims.aud === AUDIENCE &&
        typeof claims.sid === 'string' &&
        typeof claims.sub === 'string' &&
        (await keys.auth.isLive(claims.sid, claims.sub))
      ) {
        return 'admin';
      }
    } catch {
      // expired or forged: as if absent
    }
  }
  const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!bearer) return 'nobody';
  try {
    return (await keys.auth.verify(bearer)).role === 'ADMIN' ? 'admin' : 'member';
  } catch {
    return 'nobody';
  }
}
