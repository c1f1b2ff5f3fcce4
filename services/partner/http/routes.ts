import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { ZId } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { findPartnerSummary } from '../summaries.ts';

const ZPartnerSummary = z
  .object({
    memberId: z.uuid(),
    registeredAt: z.iso.datetime(),
    rentCount: z.number().int(),
    returnCount: z.number().int(),
  })
  .openapi('PartnerSummary');

const summaryRoute = createRoute({
  method: 'get',
  path: '/partners/{memberId}/summary',
  summary: "A partner's summary (read model built from events)",
  security: bearerSecurity,
  request: { params: z.object({ memberId: ZId }) },
  responses: {
    200: { description: 'the summary', content: { 'application/json': { schema: ZPartnerSummary } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function partnerRoutes(deps: { db: Db; auth: Authenticator }) {
  const router = createRouter();
  router.use('/partners/*', requireMember(deps.auth));
  return router.openapi(summaryRoute, async (c) => {
    const { memberId } = c.req.valid('param');
    const principal = principalOf(c);
    if (principal.role !== 'ADMIN' && principal.memberId !== memberId) throw new AppError('FORBIDDEN', 'only that partner or an admin');
    const summary = await findPartnerSummary(deps.db, memberId);
    if (!summary) throw new AppError('NOT_FOUND', `no partner summary for ${memberId} (yet)`);
    return c.json(
      { memberId, registeredAt: summary.registeredAt.toISOString(), rentCount: summary.rentCount, returnCount: summary.returnCount },
      200,
    );
  });
}
