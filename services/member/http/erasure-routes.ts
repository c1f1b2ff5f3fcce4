/** Erasure (right to be forgotten): the member or an admin starts it; a saga carries it out. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { AppError } from '../../platform/errors.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { ZId } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { ZIdempotencyHeaders, memberSagaStatusRoute } from '../../platform/http/saga-routes.ts';
import { answerSagaStart, sagaStartResponses } from '../../platform/http/saga-schemas.ts';
import { readSaga, startSaga } from '../../platform/sagas.ts';
import type { Authenticator } from '../../platform/http/authenticator.ts';
import { erasureWorkflowId } from '../../contracts/temporal.ts';

const accepted = sagaStartResponses('erasure started; poll the Location');
const ZPreferHeader = ZIdempotencyHeaders.pick({ prefer: true });

const eraseMeRoute = createRoute({
  method: 'delete',
  path: '/members/me',
  summary: 'Erase the signed-in member (saga)',
  security: bearerSecurity,
  request: { headers: ZPreferHeader },
  responses: { ...accepted, ...errorResponses(400, 401, 403) },
});

const eraseMemberRoute = createRoute({
  method: 'delete',
  path: '/members/{memberId}',
  summary: 'Erase a member (admin; saga)',
  security: bearerSecurity,
  request: { params: z.object({ memberId: ZId }), headers: ZPreferHeader },
  responses: { ...accepted, ...errorResponses(400, 401, 403) },
});

export function erasureRoutes(deps: { temporal: Client; auth: Authenticator }) {
  const { temporal, auth } = deps;
  const router = createRouter();
  router.on('DELETE', ['/members/me', '/members/*'], requireMember(auth));
  const erase = async (c: Parameters<typeof answerSagaStart>[0], memberId: string) => {
    const workflowId = erasureWorkflowId(memberId);
    // One erasure per member: asking again finds the running or completed one. A refused one
    // (COMPENSATED: the member still held a book) is asked again as a new run of the same id.
    const previous = await readSaga(temporal, workflowId);
    const startAgainIfClosed = previous?.view.status === 'COMPENSATED';
    await startSaga(temporal, {
      workflowType: 'erasureWorkflow',
      workflowId,
      args: [{ memberId }],
      sagaType: 'erasure',
      memberId,
      startAgainIfClosed,
    });
    return answerSagaStart(c, { temporal, workflowId, location: `/erasures/${memberId}`, id: memberId });
  };
  router
    .openapi(eraseMeRoute, async (c) => {
      const { memberId, role } = principalOf(c);
      if (role === 'ADMIN') throw new AppError('FORBIDDEN', 'the admin account comes from configuration and cannot be erased');
      return erase(c, memberId);
    })
    .openapi(eraseMemberRoute, async (c) => {
      if (principalOf(c).role !== 'ADMIN') throw new AppError('FORBIDDEN', 'only an admin may erase another member');
      const { memberId } = c.req.valid('param');
      return erase(c, memberId);
    });
  return [
    router,
    memberSagaStatusRoute({ basePath: '/erasures', summary: 'Erasure saga status', workflowId: erasureWorkflowId, temporal, auth }),
  ];
}
