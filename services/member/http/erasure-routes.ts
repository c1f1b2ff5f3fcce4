/** Erasure (right to be forgotten): the member or an admin starts it; a saga carries it out. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { AppError } from '../../platform/errors.ts';
import { createRouter } from '../../platform/http/app.ts';
import { bearerSecurity, principalOf, requireMember } from '../../platform/http/guards.ts';
import { ZId } from '../../platform/http/fields.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { memberSagaStatusRoute } from '../../platform/http/saga-routes.ts';
import { ZSagaAccepted, sagaAccepted } from '../../platform/http/saga-schemas.ts';
import { startSaga } from '../../platform/sagas.ts';
import type { TokenOptions } from '../../auth/login.ts';
import { erasureWorkflowId } from '../../contracts/temporal.ts';

const accepted = { 202: { description: 'erasure started; poll the Location', content: { 'application/json': { schema: ZSagaAccepted } } } };

const eraseMeRoute = createRoute({
  method: 'delete',
  path: '/members/me',
  summary: 'Erase the signed-in member (saga)',
  security: bearerSecurity,
  responses: { ...accepted, ...errorResponses(401, 403) },
});

const eraseMemberRoute = createRoute({
  method: 'delete',
  path: '/members/{memberId}',
  summary: 'Erase a member (admin; saga)',
  security: bearerSecurity,
  request: { params: z.object({ memberId: ZId }) },
  responses: { ...accepted, ...errorResponses(400, 401, 403) },
});

export function erasureRoutes(deps: { temporal: Client; tokens: TokenOptions }) {
  const { temporal, tokens } = deps;
  const router = createRouter();
  router.on('DELETE', ['/members/me', '/members/*'], requireMember(tokens));
  const erase = async (memberId: string) => {
    await startSaga(temporal, { workflowType: 'erasureWorkflow', workflowId: erasureWorkflowId(memberId), args: [{ memberId }], sagaType: 'erasure', memberId });
  };
  router
    .openapi(eraseMeRoute, async (c) => {
      const { memberId, role } = principalOf(c);
      if (role === 'ADMIN') throw new AppError('FORBIDDEN', 'the admin account comes from configuration and cannot be erased');
      await erase(memberId);
      return sagaAccepted(c, `/erasures/${memberId}`, memberId);
    })
    .openapi(eraseMemberRoute, async (c) => {
      if (principalOf(c).role !== 'ADMIN') throw new AppError('FORBIDDEN', 'only an admin may erase another member');
      const { memberId } = c.req.valid('param');
      await erase(memberId);
      return sagaAccepted(c, `/erasures/${memberId}`, memberId);
    });
  return [router, memberSagaStatusRoute({ basePath: '/erasures', summary: 'Erasure saga status', workflowId: erasureWorkflowId, temporal, tokens })];
}
