import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { findRentalHistory } from '../history.ts';

const ZHistoryEntry = z
  .object({
    bookNo: z.number().int(),
    title: z.string(),
    rentedAt: z.iso.datetime(),
    returnedAt: z.iso.datetime().optional(),
  })
  .openapi('RentalHistoryEntry');

const historyRoute = createRoute({
  method: 'get',
  path: '/members/me/history',
  summary: "The signed-in member's loans, newest first (read model built from events)",
  security: bearerSecurity,
  responses: {
    200: { description: 'the loans', content: { 'application/json': { schema: z.array(ZHistoryEntry) } } },
    ...errorResponses(401),
  },
});

export function memberHistoryRoutes(deps: { db: Db; auth: Authenticator }) {
  const router = createRouter();
  // Guards its own path: this router may be mounted without memberRoutes' /members/* guard.
  router.use(historyRoute.path, requireMember(deps.auth));
  return router.openapi(historyRoute, async (c) => {
    const { memberId } = principalOf(c);
    const loans = await findRentalHistory(deps.db, memberId);
    return c.json(
      loans.map((loan) => ({
        bookNo: loan.bookNo,
        title: loan.title,
        rentedAt: loan.rentedAt.toISOString(),
        ...(loan.returnedAt ? { returnedAt: loan.returnedAt.toISOString() } : {}),
      })),
      200,
    );
  });
}
