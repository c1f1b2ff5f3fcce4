/** What an admin does on a member's card: return a book for them, settle a late fee. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { text } from '../../platform/http/fields.ts';
import { ZIdempotencyHeaders, memberSagaStatusRoute, sagaId } from '../../platform/http/saga-routes.ts';
import { answerSagaStart, sagaStartResponses } from '../../platform/http/saga-schemas.ts';
import { sagaExists, startSaga } from '../../platform/sagas.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { settleFeeWorkflowId } from '../../contracts/temporal.ts';
import { assessFeeToSettle } from '../settlements.ts';
import { startReturnSaga } from './return-saga.ts';

const ZMemberParam = z.object({ memberId: z.uuid() });
const ZAdminReturn = z.strictObject({ bookNo: z.number().int().positive().max(2_147_483_647) }).openapi('AdminReturn');
const ZSettleFee = z
  .strictObject({
    reason: text({ max: 200 }).openapi({
      example: 'paid at the desk',
      description: 'kept in the points ledger and published; no personal data',
    }),
    points: z
      .number()
      .int()
      .nonnegative()
      .max(1_000_000)
      .default(0)
      .openapi({ description: "points taken from the member's balance towards the fee (default 0)" }),
  })
  .openapi('SettleFee');

const adminReturnRoute = createRoute({
  method: 'post',
  path: '/members/{memberId}/returns',
  summary: "Return a book on a member's behalf (admin; return saga): a lost token, an erased member",
  security: bearerSecurity,
  request: {
    params: ZMemberParam,
    headers: ZIdempotencyHeaders,
    body: { content: { 'application/json': { schema: ZAdminReturn } }, required: true },
  },
  responses: { ...sagaStartResponses(), ...errorResponses(400, 401, 403) },
});

const settleFeeRoute = createRoute({
  method: 'post',
  path: '/members/{memberId}/fees/settle',
  summary:
    'Settle an unpaid late fee (admin; saga): `points` of it from the balance, the rest paid at the desk or waived, as `reason` says',
  description:
    'Refused at once, before any saga: 404 NO_RENTAL_CARD, 409 NOTHING_TO_CLEAR (no fee: a second settlement changes nothing), 422 POINTS_EXCEED_FEE. The saga refuses INSUFFICIENT_POINTS.',
  security: bearerSecurity,
  request: {
    params: ZMemberParam,
    headers: ZIdempotencyHeaders,
    body: { content: { 'application/json': { schema: ZSettleFee } }, required: true },
  },
  responses: { ...sagaStartResponses(), ...errorResponses(400, 401, 403, 404, 409, 422) },
});

function requireAdmin(c: Parameters<typeof principalOf>[0]): string {
  const principal = principalOf(c);
  if (principal.role !== 'ADMIN') throw new AppError('FORBIDDEN', "only an admin may act on another member's card");
  return principal.memberId;
}

export function adminRentalRoutes(deps: { db: Db; temporal: Client; auth: Authenticator }) {
  const { temporal, auth } = deps;
  const router = createRouter();
  router.on('POST', ['/members/:memberId/returns', '/members/:memberId/fees/settle'], requireMember(auth));
  router
    .openapi(adminReturnRoute, async (c) => {
      const admin = requireAdmin(c);
      const { memberId } = c.req.valid('param');
      const { bookNo } = c.req.valid('json');
      const returnId = sagaId('admin-return', c.req.valid('header')['idempotency-key'], `${admin}:${memberId}`);
      return startReturnSaga(c, { temporal, returnId, memberId, bookNo });
    })
    .openapi(settleFeeRoute, async (c) => {
      const admin = requireAdmin(c);
      const { memberId } = c.req.valid('param');
      const { reason, points } = c.req.valid('json');
      const settlementId = sagaId('settle-fee', c.req.valid('header')['idempotency-key'], `${admin}:${memberId}`);
      const workflowId = settleFeeWorkflowId(settlementId);
      // Decided at once from rental's own data; a replayed Idempotency-Key finds its saga instead.
      if (!(await sagaExists(temporal, workflowId))) await assessFeeToSettle(deps.db, { memberId, points });
      await startSaga(temporal, {
        workflowType: 'settleFeeWorkflow',
        workflowId,
        args: [{ settlementId, memberId, points, reason }],
        sagaType: 'settle-fee',
        memberId,
      });
      return answerSagaStart(c, {
        temporal,
        workflowId,
        location: `/fee-settlements/${settlementId}`,
        id: settlementId,
        extend: (result) => ({ settled: result }),
      });
    });
  return [
    router,
    memberSagaStatusRoute({
      basePath: '/fee-settlements',
      summary: 'Fee settlement saga status (the member or an admin)',
      workflowId: settleFeeWorkflowId,
      temporal,
      auth,
      extend: (result) => ({ settled: result }),
    }),
  ];
}
