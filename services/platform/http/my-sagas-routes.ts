/** GET /members/me/sagas: every saga of the signed-in member, refused ones too, from Temporal's visibility store. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';
import { MEMBER_SAGA_TYPES, listMySagas } from '../my-sagas.ts';
import { createRouter } from './app.ts';
import type { Authenticator } from './authenticator.ts';
import { ZCursor, encodeCursor } from './cursor.ts';
import { bearerSecurity, principalOf, requireMember } from './guards.ts';
import { errorResponses } from './problem.ts';

/**
 * The cursor carries Temporal's page token signed for this member and these filters:
 * a token Temporal did not hand out (or another member's, or another query's) is
 * refused here with a 400, before Temporal sees it (it answers such tokens UNKNOWN).
 */
function signToken(secret: string, scope: string, token: string): string {
  return createHmac('sha256', secret).update(`my-sagas\n${scope}\n${token}`).digest('base64url');
}

function verifiedToken(secret: string, scope: string, cursor: { token: string; sig: string }): Uint8Array {
  const expected = Buffer.from(signToken(secret, scope, cursor.token));
  const given = Buffer.from(cursor.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AppError('NOT_FOUND', 'no page of this list has that cursor; start again without one');
  }
  return Buffer.from(cursor.token, 'base64url');
}

const ZStatus = z.enum(['RUNNING', 'COMPLETED', 'COMPENSATED', 'FAILED']);
const ZMySaga = z
  .object({
    id: z.string().openapi({ description: 'the id its status resource is read by (/rentals/{id}, /returns/{id}, ...)' }),
    type: z.string().openapi({ example: 'rent' }),
    status: ZStatus,
    startedAt: z.string(),
    closedAt: z.string().optional(),
    failure: z.object({ step: z.string(), code: z.string(), message: z.string() }).optional(),
  })
  .openapi('MySaga');

const mySagasRoute = createRoute({
  method: 'get',
  path: '/members/me/sagas',
  summary: 'Every saga of the signed-in member, refused ones too: running first, then the most recently closed',
  security: bearerSecurity,
  request: {
    query: z.object({
      type: z.enum(MEMBER_SAGA_TYPES).optional(),
      status: ZStatus.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
      cursor: ZCursor(z.object({ token: z.string().min(1).max(1500), sig: z.string().max(100) })).optional(),
    }),
  },
  responses: {
    200: {
      description: 'a page of sagas; nextCursor is null on the last page',
      content: {
        'application/json': { schema: z.object({ items: z.array(ZMySaga), nextCursor: z.string().nullable() }).openapi('MySagaPage') },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

/** `secret` keys the cursor signatures (JWT_SECRET). */
export function mySagasRoutes(deps: { temporal: Client; auth: Authenticator; secret: string }) {
  const router = createRouter();
  router.use('/members/me/sagas', requireMember(deps.auth));
  return router.openapi(mySagasRoute, async (c) => {
    const { type, status, limit, cursor } = c.req.valid('query');
    const { memberId } = principalOf(c);
    const scope = JSON.stringify([memberId, type ?? null, status ?? null]);
    const page = await listMySagas(deps.temporal, {
      memberId,
      limit,
      ...(type ? { type } : {}),
      ...(status ? { status } : {}),
      ...(cursor ? { pageToken: verifiedToken(deps.secret, scope, cursor) } : {}),
    });
    const token = page.nextPageToken ? Buffer.from(page.nextPageToken).toString('base64url') : undefined;
    const nextCursor = token ? encodeCursor({ token, sig: signToken(deps.secret, scope, token) }) : null;
    return c.json({ items: page.items, nextCursor }, 200);
  });
}
