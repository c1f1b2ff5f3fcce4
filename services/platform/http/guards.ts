import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.ts';
import type { TPrincipal } from '../../contracts/principal.ts';
import type { Authenticator } from './authenticator.ts';
import type { ApiEnv } from './app.ts';

/** Requires a valid bearer token of a live session and puts its principal on the context. */
export function requireMember(auth: Authenticator) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    // Routers overlap (/members/* and /members/me/...): one session lookup per request is enough.
    if (c.get('principal')) return next();
    const header = c.req.header('authorization');
    if (!header) throw new AppError('UNAUTHORIZED', 'a bearer token is required');
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header.trim());
    if (!match?.[1])
      throw new AppError(
        'UNAUTHORIZED',
        /^Bearer\b/i.test(header.trim()) ? 'the bearer token is malformed' : 'the Authorization header must read "Bearer <token>"',
      );
    c.set('principal', await auth.verify(match[1]));
    await next();
  });
}

export function principalOf(c: { get(key: 'principal'): TPrincipal | undefined }): TPrincipal {
  const principal = c.get('principal');
  if (!principal) throw new AppError('UNAUTHORIZED', 'a bearer token is required');
  return principal;
}

export const bearerSecurity = [{ bearer: [] }];
