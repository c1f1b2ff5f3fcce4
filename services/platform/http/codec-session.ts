/**
 * A browser session for the codec endpoint. The Temporal UI calls the codec
 * from the operator's browser; without an identity provider (the dev server's
 * UI has none) it has no token to send, but with "Include cross-origin
 * credentials" on it sends the API's cookies. An admin signs in once at
 * GET /codec/login; the cookie is HttpOnly, SameSite=Strict and scoped to /codec,
 * and its token is signed with a key derived from JWT_SECRET for this purpose
 * only, so it is no API bearer token and no bearer token is a codec session.
 * The sign-in opens a session in auth's store (8 hours) like any login, and the
 * cookie names it: logging out, a password change, an admin's revocation or
 * erasure end the cookie too, on every request.
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sign, verify } from 'hono/jwt';
import { AppError, RetryLaterError } from '../errors.ts';
import { createRouter } from './app.ts';
import type { Authenticator, PasswordSignIn } from './authenticator.ts';
import { clientAddress } from './client-address.ts';

export const CODEC_SESSION_COOKIE = 'codec_session';
/** A working day: long enough to investigate, short enough that a forgotten browser does not stay signed in. */
export const CODEC_SESSION_SECONDS = 8 * 3600;
const AUDIENCE = 'temporal-codec';

/** `secret` is JWT_SECRET: the cookie's key is derived from it for this purpose only. */
const sessionKey = (secret: string) => createHmac('sha256', secret).update('codec-session').digest('base64url');

/** The cookie's token for session `sessionId` (auth's session store) of admin `memberId`. */
export async function issueCodecSession(secret: string, memberId: string, sessionId: string, now = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return sign(
    { sub: memberId, sid: sessionId, aud: AUDIENCE, iat: issuedAt, exp: issuedAt + CODEC_SESSION_SECONDS },
    sessionKey(secret),
    'HS256',
  );
}

/** The session a valid codec cookie names (signature, audience, expiry), live or not; undefined without one. */
async function codecCookieSession(c: Context, secret: string): Promise<{ memberId: string; sessionId: string } | undefined> {
  const cookie = getCookie(c, CODEC_SESSION_COOKIE);
  if (!cookie) return undefined;
  try {
    const claims = await verify(cookie, sessionKey(secret), 'HS256');
    if (claims.aud !== AUDIENCE || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') return undefined;
    return { memberId: claims.sub, sessionId: claims.sid };
  } catch {
    return undefined;
  }
}

/** True when the request carries a valid codec session cookie whose session is live. */
export async function hasCodecSession(c: Context, keys: { auth: Authenticator; secret: string }): Promise<boolean> {
  const session = await codecCookieSession(c, keys.secret);
  return !!session && (await keys.auth.isLive(session.sessionId, session.memberId));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(c: Context, status: 200 | 400 | 401 | 403 | 429, body: string) {
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  c.header('Cache-Control', 'no-store');
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Temporal codec sign-in</title>
<style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0}input{width:100%;padding:.4rem}button{padding:.5rem 1.2rem}</style>
</head><body>${body}</body></html>`,
    status,
  );
}

function form(message = '') {
  return `<h1>Decode payloads in the Temporal UI</h1>
<p>Workflow payloads are encrypted. Sign in as an administrator so this browser may ask the API to decrypt them for the Temporal UI.</p>
${message ? `<p role="alert"><strong>${escapeHtml(message)}</strong></p>` : ''}
<form method="post" action="/codec/login">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`;
}

function signedIn(uiUrl: string | undefined, endpoint: string) {
  const ui = uiUrl ? `<a href="${escapeHtml(uiUrl)}">the Temporal UI</a>` : 'the Temporal UI';
  return `<h1>Signed in for ${CODEC_SESSION_SECONDS / 3600} hours</h1>
<p>Once per browser, in ${ui}: open the codec server settings (the glasses button at the top), choose
<em>Use my browser setting and ignore Cluster-level setting</em>, enter <code>${escapeHtml(endpoint)}</code>,
turn on <strong>Include cross-origin credentials</strong>, apply and reload. Payloads then show decoded.</p>
<form method="post" action="/codec/logout"><button type="submit">Sign out</button></form>`;
}

/** GET /codec/login (form), POST /codec/login (sets the cookie), POST /codec/logout. Not part of the JSON API. */
export function codecSessionRoutes(deps: { signIn: PasswordSignIn; secret: string; trustedProxyHops: number; uiUrl?: string }) {
  const router = createRouter();
  router.get('/codec/login', (c) => page(c, 200, form()));
  router.post('/codec/login', async (c) => {
    const body = await c.req.parseBody();
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!email || !password || email.length > 254 || password.length > 200) return page(c, 400, form('Enter an email and a password.'));
    let grant: Awaited<ReturnType<PasswordSignIn['signIn']>>;
    try {
      grant = await deps.signIn.signIn(
        { email, password, address: clientAddress(c, deps.trustedProxyHops) },
        { lifetimeSeconds: CODEC_SESSION_SECONDS },
      );
    } catch (error) {
      if (error instanceof RetryLaterError && error.code === 'RATE_LIMITED') {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return page(c, 429, form(`Too many failed sign-ins; try again in ${error.retryAfterSeconds} seconds.`));
      }
      if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS')
        return page(c, 401, form('The email or the password is wrong.'));
      throw error;
    }
    const { principal, sessionId } = grant;
    if (principal.role !== 'ADMIN') {
      await deps.signIn.endSession(sessionId);
      return page(c, 403, form('Only an administrator may decode payloads.'));
    }
    setCookie(c, CODEC_SESSION_COOKIE, await issueCodecSession(deps.secret, principal.memberId, sessionId), {
      httpOnly: true,
      sameSite: 'Strict', // the UI and the API share a host (different ports are one site), so the UI's fetch still carries it
      path: '/codec',
      maxAge: CODEC_SESSION_SECONDS,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    return page(c, 200, signedIn(deps.uiUrl, new URL('/codec', c.req.url).href));
  });
  router.post('/codec/logout', async (c) => {
    const session = await codecCookieSession(c, deps.secret);
    if (session) await deps.signIn.endSession(session.sessionId);
    deleteCookie(c, CODEC_SESSION_COOKIE, { path: '/codec' });
    return page(c, 200, form('Signed out.'));
  });
  return router;
}
