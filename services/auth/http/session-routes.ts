/** Sessions over HTTP: refresh, logout, password change, and an admin's revocation (login is in routes.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { headerToken, passwordString } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { changePassword, endSession, refreshSession, revokeMemberSessions } from '../sessions.ts';
import { bearerAuthenticator } from '../authenticator.ts';
import type { TokenOptions } from '../tokens.ts';

export const ZGrant = z
  .object({
    token: z.string().openapi({ description: 'the bearer token' }),
    refreshToken: z.string().openapi({ description: 'works once, for POST /auth/refresh' }),
    expiresIn: z.number().int().openapi({ description: 'seconds the bearer token lives' }),
  })
  .openapi('TokenGrant');

const ZEmptyBody = z.strictObject({});

const refreshRoute = createRoute({
  method: 'post',
  path: '/auth/refresh',
  summary:
    'Exchange a refresh token for a new bearer and refresh token; a refresh token works once, and a reused one ends its whole session',
  request: {
    body: {
      content: { 'application/json': { schema: z.strictObject({ refreshToken: headerToken({ max: 200 }) }).openapi('RefreshRequest') } },
      required: true,
    },
  },
  responses: { 200: { description: 'a new pair', content: { 'application/json': { schema: ZGrant } } }, ...errorResponses(400, 401) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  summary: "End this token's session: its bearer and refresh tokens answer 401 from now on",
  security: bearerSecurity,
  request: { body: { content: { 'application/json': { schema: ZEmptyBody } }, required: false } },
  responses: { 204: { description: 'logged out' }, ...errorResponses(400, 401) },
});

const passwordRoute = createRoute({
  method: 'post',
  path: '/auth/password',
  summary: 'Change the password; every other session of the member ends (5 wrong current passwords end this one too)',
  security: bearerSecurity,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .strictObject({ currentPassword: passwordString({ min: 1, max: 200 }), newPassword: passwordString({ min: 8, max: 200 }) })
            .openapi('PasswordChange'),
        },
      },
      required: true,
    },
  },
  responses: { 204: { description: 'changed' }, ...errorResponses(400, 401) },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/members/{memberId}/sessions/revoke',
  summary: "End every session of a member (admin): all the member's tokens answer 401",
  security: bearerSecurity,
  request: { params: z.object({ memberId: z.uuid() }), body: { content: { 'application/json': { schema: ZEmptyBody } }, required: false } },
  responses: { 204: { description: 'revoked' }, ...errorResponses(400, 401, 403, 404) },
});

export function sessionRoutes(deps: { db: Db; tokens: TokenOptions }) {
  const router = createRouter();
  const member = requireMember(bearerAuthenticator(deps.tokens));
  router.on('POST', ['/auth/logout', '/auth/password', '/members/:memberId/sessions/revoke'], member);
  return router
    .openapi(refreshRoute, async (c) => c.json(await refreshSession(deps.db, deps.tokens, c.req.valid('json').refreshToken), 200))
    .openapi(logoutRoute, async (c) => {
      await endSession(deps.db, principalOf(c).sessionId);
      return c.body(null, 204);
    })
    .openapi(passwordRoute, async (c) => {
      await changePassword(deps.db, principalOf(c), c.req.valid('json'));
      return c.body(null, 204);
    })
    .openapi(revokeRoute, async (c) => {
      if (principalOf(c).role !== 'ADMIN') throw new AppError('FORBIDDEN', "only an admin may end another member's sessions");
      await revokeMemberSessions(deps.db, c.req.valid('param').memberId);
      return c.body(null, 204);
    });
}
