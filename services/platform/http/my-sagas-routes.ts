/** GET /members/me/sagas: every saga of the signed-in member, refused ones too, from Temporal's visibility store. */
import { createRoute, z } from '@hono/zod-openapi';
import { ServiceError, type Client } from '@temporalio/client';
import { AppError } from '../errors.ts';
import { MEMBER_SAGA_TYPES, listMySagas } from '../my-sagas.ts';
import type { TokenOptions } from '../../auth/login.ts';
import { createRouter } from './app.ts';
import { ZCursor, encodeCursor } from './cursor.ts';
import { bearerSecurity, principalOf, requireMember } from './guards.ts';
import { errorResponses } from './problem.ts';

/** gRPC's status code INVALID_ARGUMENT. */
const GRPC_INVALID_ARGUMENT = 3;

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
      cursor: ZCursor(z.object({ token: z.string().min(1).max(1500) })).optional(),
    }),
  },
  responses: {
    200: {
      description: 'a page of sagas; nextCursor is null on the last page',
      content: { 'application/json': { schema: z.object({ items: z.array(ZMySaga), nextCursor: z.string().nullable() }).openapi('MySagaPage') } },
    },
    ...errorResponses(400, 401),
  },
});

export function mySagasRoutes(deps: { temporal: Client; tokens: TokenOptions }) {
  const router = createRouter();
  router.use('/members/me/sagas', requireMember(deps.tokens));
  return router.openapi(mySagasRoute, async (c) => {
    const { type, status, limit, cursor } = c.req.valid('query');
    try {
      const page = await listMySagas(deps.temporal, {
        memberId: principalOf(c).memberId,
        limit,
        ...(type ? { type } : {}),
        ...(status ? { status } : {}),
        ...(cursor ? { pageToken: Buffer.from(cursor.token, 'base64url') } : {}),
      });
      const nextCursor = page.nextPageToken ? encodeCursor({ token: Buffer.from(page.nextPageToken).toString('base64url') }) : null;
      return c.json({ items: page.items, nextCursor }, 200);
    } catch (error) {
      // A cursor that decodes but that Temporal does not accept as its page token.
      if (error instanceof ServiceError && (error.cause as { code?: number } | undefined)?.code === GRPC_INVALID_ARGUMENT) {
        throw new AppError('VALIDATION_FAILED', 'the cursor is not one this list gave out', [{ path: 'cursor', message: 'not a cursor this list gave out' }]);
      }
      throw error;
    }
  });
}
