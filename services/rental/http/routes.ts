import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { ZIdempotencyHeaders, keyedSaga, memberSagaStatusRoute } from '../../platform/http/saga-routes.ts';
import { answerSagaStart, sagaStartResponses } from '../../platform/http/saga-schemas.ts';
import { startSaga } from '../../platform/sagas.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { clearOverdueWorkflowId, rentWorkflowId, returnWorkflowId } from '../../contracts/temporal.ts';
import { viewRentalCard } from '../card-view.ts';
import type { LoanRules } from '../domain/rules.ts';
import { refuseUnrentableBook } from '../titles.ts';
import { adminRentalRoutes } from './admin-routes.ts';
import { startReturnSaga } from './return-saga.ts';

const ZBookRequest = z.strictObject({ bookNo: z.number().int().positive().max(2_147_483_647) }).openapi('BookRequest');

const ZRentalCard = z
  .object({
    rentStatus: z.enum(['AVAILABLE', 'SUSPENDED']),
    lateFee: z.number().int(),
    rented: z.array(
      z.object({
        rentalId: z.uuid(),
        bookNo: z.number().int(),
        title: z.string(),
        rentedAt: z.string(),
        dueAt: z.string(),
        overdue: z.boolean(),
      }),
    ),
    returned: z.array(
      z.object({
        rentalId: z.uuid(),
        bookNo: z.number().int(),
        title: z.string(),
        rentedAt: z.string(),
        returnedAt: z.string(),
        lateFee: z.number().int(),
      }),
    ),
  })
  .openapi('RentalCard');

const rentalCardRoute = createRoute({
  method: 'get',
  path: '/members/me/rental-card',
  summary: "The signed-in member's rental card",
  security: bearerSecurity,
  responses: { 200: { description: 'the card', content: { 'application/json': { schema: ZRentalCard } } }, ...errorResponses(401, 404) },
});

const rentRoute = createRoute({
  method: 'post',
  path: '/rentals',
  summary:
    'Rent a book (saga); a book rental has never heard of is refused at once (404 BOOK_NOT_FOUND), a withdrawn one too (409 BOOK_WITHDRAWN)',
  security: bearerSecurity,
  request: { headers: ZIdempotencyHeaders, body: { content: { 'application/json': { schema: ZBookRequest } }, required: true } },
  responses: { ...sagaStartResponses(), ...errorResponses(400, 401, 404, 409, 422) },
});

const returnRoute = createRoute({
  method: 'post',
  path: '/returns',
  summary: 'Return a book (saga)',
  security: bearerSecurity,
  request: { headers: ZIdempotencyHeaders, body: { content: { 'application/json': { schema: ZBookRequest } }, required: true } },
  responses: { ...sagaStartResponses(), ...errorResponses(400, 401, 422) },
});

const clearOverdueRoute = createRoute({
  method: 'post',
  path: '/members/me/rental-card/clear-overdue',
  summary: 'Pay the late fee with points and lift the suspension (saga)',
  security: bearerSecurity,
  request: { headers: ZIdempotencyHeaders, body: { content: { 'application/json': { schema: z.strictObject({}) } }, required: false } },
  responses: { ...sagaStartResponses(), ...errorResponses(400, 401) },
});

/** `secret` keys the hashes that tie an Idempotency-Key to its request (JWT_SECRET). */
export function rentalRoutes(deps: { db: Db; temporal: Client; auth: Authenticator; secret: string; rules: LoanRules }) {
  const { temporal, auth, secret } = deps;
  const member = requireMember(auth);
  const router = createRouter();
  router.use('/members/me/rental-card', member);
  router.use('/members/me/rental-card/*', member);
  router.on('POST', ['/rentals', '/returns'], member);
  router
    .openapi(rentalCardRoute, async (c) => c.json(await viewRentalCard(deps.db, deps.rules, principalOf(c).memberId), 200))
    .openapi(rentRoute, async (c) => {
      const { memberId } = principalOf(c);
      const body = c.req.valid('json');
      const { bookNo } = body;
      // rental's own copy of the catalog decides at once what needs no saga.
      await refuseUnrentableBook(deps.db, bookNo);
      const { id: rentalId, requestHash } = keyedSaga(c, { kind: 'rent', memberId, body, secret });
      const workflowId = rentWorkflowId(rentalId);
      const status = await startSaga(temporal, {
        workflowType: 'rentWorkflow',
        workflowId,
        args: [{ rentalId, memberId, bookNo }],
        sagaType: 'rent',
        memberId,
        bookNo,
        requestHash,
      });
      return answerSagaStart(c, {
        temporal,
        workflowId,
        location: `/rentals/${rentalId}`,
        id: rentalId,
        status,
        extend: (result) => ({ loan: result }),
      });
    })
    .openapi(returnRoute, async (c) => {
      const { memberId } = principalOf(c);
      const body = c.req.valid('json');
      const { bookNo } = body;
      const { id: returnId, requestHash } = keyedSaga(c, { kind: 'return', memberId, body, secret });
      return startReturnSaga(c, { temporal, returnId, memberId, bookNo, requestHash });
    })
    .openapi(clearOverdueRoute, async (c) => {
      const { memberId } = principalOf(c);
      const { id: clearanceId, requestHash } = keyedSaga(c, { kind: 'clear-overdue', memberId, body: {}, secret });
      const workflowId = clearOverdueWorkflowId(clearanceId);
      const status = await startSaga(temporal, {
        workflowType: 'clearOverdueWorkflow',
        workflowId,
        args: [{ clearanceId, memberId }],
        sagaType: 'clear-overdue',
        memberId,
        requestHash,
      });
      return answerSagaStart(c, {
        temporal,
        workflowId,
        location: `/clear-overdue/${clearanceId}`,
        id: clearanceId,
        status,
        extend: (result) => ({ paid: result }),
      });
    });
  return [
    router,
    ...adminRentalRoutes(deps),
    memberSagaStatusRoute({
      basePath: '/rentals',
      summary: 'Rent saga status',
      workflowId: rentWorkflowId,
      temporal,
      auth,
      extend: (result) => ({ loan: result }),
    }),
    memberSagaStatusRoute({
      basePath: '/returns',
      summary: 'Return saga status',
      workflowId: returnWorkflowId,
      temporal,
      auth,
      extend: (result) => ({ returned: result }),
    }),
    memberSagaStatusRoute({
      basePath: '/clear-overdue',
      summary: 'Clear-overdue saga status',
      workflowId: clearOverdueWorkflowId,
      temporal,
      auth,
      extend: (result) => ({ paid: result }),
    }),
  ];
}
