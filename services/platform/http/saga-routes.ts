/** The two routes every saga has: POST starts it (202 + Location), GET /{id} reads its status resource. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { deterministicUuid } from '../ids.ts';
import { readSaga } from '../sagas.ts';
import type { TokenOptions } from '../../auth/login.ts';
import { createRouter } from './app.ts';
import { bearerSecurity, principalOf, requireMember } from './guards.ts';
import { errorResponses } from './problem.ts';
import { ZSagaStatus, sagaStatusBody } from './saga-schemas.ts';

export const ZIdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().openapi({ description: 'the same key returns the same saga' }),
  prefer: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: '`wait=N` (seconds, at most 10): answer 200 with the final status resource if the saga ends within N s, else 202 as without it' }),
});

/** The saga id: derived from the Idempotency-Key (per member and saga kind) when one is sent. */
export function sagaId(kind: string, key: string | undefined, scope = ''): string {
  return key ? deterministicUuid(kind, scope, key) : randomUUID();
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
  tokens: TokenOptions;
  extend?: (result: unknown) => Record<string, unknown>;
}) {
  const route = createRoute({
    method: 'get',
    path: `${options.basePath}/{id}`,
    summary: options.summary,
    security: bearerSecurity,
    request: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: { description: 'status resource', content: { 'application/json': { schema: ZSagaStatus.passthrough() } } },
      ...errorResponses(400, 401, 404),
    },
  });
  const router = createRouter();
  router.use(`${options.basePath}/*`, requireMember(options.tokens));
  return router.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const principal = principalOf(c);
    const saga = await readSaga(options.temporal, options.workflowId(id));
    if (!saga || (saga.memberId !== principal.memberId && principal.role !== 'ADMIN')) throw new AppError('NOT_FOUND', `no ${options.basePath.slice(1)} ${id}`);
    return c.json(sagaStatusBody(id, saga.view, options.extend), 200);
  });
}
