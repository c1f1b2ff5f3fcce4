/** The two routes every saga has: POST starts it (202 + Location), GET /{id} reads its status resource. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { createHmac, randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { deterministicUuid } from '../ids.ts';
import { readSaga } from '../sagas.ts';
import { createRouter } from './app.ts';
import type { Authenticator } from './authenticator.ts';
import { bearerSecurity, principalOf, requireMember } from './guards.ts';
import { ZId, headerToken } from './fields.ts';
import { errorResponses } from './problem.ts';
import { ZSagaStatus, sagaStatusBody } from './saga-schemas.ts';

export const ZIdempotencyHeaders = z.object({
  'idempotency-key': headerToken({ max: 200 }).optional().openapi({
    description:
      "the same key with the same body returns the same saga and its current status; with another body 422 IDEMPOTENCY_KEY_REUSED. Keys are the caller's own",
  }),
  prefer: headerToken({ max: 200 }).optional().openapi({
    description:
      '`wait=N` (seconds, at most 10): answer 200 with the final status resource if the saga ends within N s, else 202 as without it',
  }),
});

/** The saga id: derived from the Idempotency-Key (per caller and saga kind) when one is sent. */
export function sagaId(kind: string, key: string | undefined, scope = ''): string {
  return key ? deterministicUuid(kind, scope, key) : randomUUID();
}

/**
 * A keyed hash of a request (the saga kind, the caller and its validated body),
 * stored with a keyed saga so that a key reused with another body is refused.
 * Keyed with a secret: the hash of a signup body, which holds a password, tells
 * nobody anything.
 */
export function requestHash(secret: string, kind: string, scope: string, body: unknown): string {
  return createHmac('sha256', secret)
    .update('idempotency-request')
    .update('\u0000')
    .update(JSON.stringify([kind, scope, body]))
    .digest('base64url');
}

/**
 * Keys are scoped per caller: a member's own (the member id), and for an
 * anonymous signup the email it signs up (through a keyed hash, so the saga id
 * derived from it reveals nothing).
 */
export function anonymousScope(secret: string, email: string): string {
  return createHmac('sha256', secret).update('idempotency-scope').update('\u0000').update(email).digest('base64url');
}

/** The saga id and the request hash for a member's saga request. */
export function keyedSaga(
  c: { req: { header(name: string): string | undefined } },
  options: { kind: string; memberId: string; body: unknown; secret: string },
) {
  const key = c.req.header('idempotency-key');
  return {
    id: sagaId(options.kind, key, options.memberId),
    ...(key ? { requestHash: requestHash(options.secret, options.kind, options.memberId, options.body) } : {}),
  };
}

/**
 * GET `<basePath>/{id}` for a member's saga: only the member who started it
 * (or an admin) sees it; anyone else gets 404, so ids do not leak.
 */
export function memberSagaStatusRoute(options: {
  basePath: string;
  summary: string;
  workflowId: (id: string) => string;
  temporal: Client;
  auth: Authenticator;
  extend?: (result: unknown) => Record<string, unknown>;
}) {
  const route = createRoute({
    method: 'get',
    path: `${options.basePath}/{id}`,
    summary: options.summary,
    security: bearerSecurity,
    request: { params: z.object({ id: ZId }) },
    responses: {
      200: { description: 'status resource', content: { 'application/json': { schema: ZSagaStatus.passthrough() } } },
      ...errorResponses(400, 401, 404),
    },
  });
  const router = createRouter();
  router.use(`${options.basePath}/*`, requireMember(options.auth));
  return router.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const principal = principalOf(c);
    const saga = await readSaga(options.temporal, options.workflowId(id));
    if (!saga || (saga.memberId !== principal.memberId && principal.role !== 'ADMIN'))
      throw new AppError('NOT_FOUND', `no ${options.basePath.slice(1)} ${id}`);
    return c.json(sagaStatusBody(id, saga.view, options.extend), 200);
  });
}
