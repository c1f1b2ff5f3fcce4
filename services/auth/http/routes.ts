import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { readSaga, startSaga } from '../../platform/sagas.ts';
import { ZIdempotencyHeaders, sagaId } from '../../platform/http/saga-routes.ts';
import { signupWorkflowId, type SignupResult } from '../../../workflows/contracts.ts';
import { hashPassword } from '../domain/password.ts';
import { LoginRateLimited, throttledLogin, type TokenOptions } from '../login.ts';
import { LOGIN_LIMITS, LoginThrottle } from '../login-throttle.ts';
import { clientAddress } from '../../platform/http/client-address.ts';
import { stageSignupApplication } from '../signup.ts';
import { ZSagaStatus, answerSagaStart, sagaStartResponses } from '../../platform/http/saga-schemas.ts';

export const ZSignupBody = z
  .strictObject({
    email: z.email().max(254).toLowerCase(),
    password: z.string().min(8).max(200),
    name: z.string().trim().min(1).max(100),
    phone: z.string().regex(/^\+?[0-9][0-9 -]{5,19}$/, 'digits, spaces or dashes, optionally starting with +'),
    birthDate: z.iso.date(),
    gender: z.enum(['MALE', 'FEMALE', 'OTHER']),
    role: z.enum(['USER', 'PARTNER']),
    nickname: z.string().trim().min(2).max(30).regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, _ . or -'),
    favoriteStyles: z.array(z.string().trim().min(1).max(40)).max(20),
  })
  .openapi('SignupRequest');

const signupRoute = createRoute({
  method: 'post',
  path: '/signups',
  summary: 'Start a signup saga',
  request: { headers: ZIdempotencyHeaders, body: { content: { 'application/json': { schema: ZSignupBody } }, required: true } },
  responses: { ...sagaStartResponses('saga started'), ...errorResponses(400, 413) },
});

const signupStatusRoute = createRoute({
  method: 'get',
  path: '/signups/{id}',
  summary: 'Signup saga status',
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: { description: 'status resource', content: { 'application/json': { schema: ZSagaStatus.extend({ memberId: z.uuid().optional() }) } } },
    ...errorResponses(400, 404),
  },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  summary: `Exchange email and password for a bearer token (at most ${LOGIN_LIMITS.perEmail} failures per email and ${LOGIN_LIMITS.perAddress} per client address in ${LOGIN_LIMITS.windowMs / 60_000} minutes)`,
  request: {
    body: { content: { 'application/json': { schema: z.strictObject({ email: z.email().max(254).toLowerCase(), password: z.string().min(1).max(200) }) } }, required: true },
  },
  responses: {
    200: { description: 'a bearer token', content: { 'application/json': { schema: z.object({ token: z.string() }) } } },
    ...errorResponses(400, 401, 429),
  },
});

export function authRoutes(deps: { db: Db; temporal: Client; tokens: TokenOptions; throttle?: LoginThrottle; trustedProxyHops?: number }) {
  const throttle = deps.throttle ?? new LoginThrottle();
  return createRouter()
    .openapi(signupRoute, async (c) => {
      const body = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      const signupId = sagaId('signup', key);
      const memberId = sagaId('member', key);
      const { password, nickname, favoriteStyles, role, ...contact } = body;
      await stageSignupApplication(deps.db, {
        signupId,
        ...contact,
        role,
        birthDate: new Date(`${contact.birthDate}T00:00:00Z`),
        passwordHash: await hashPassword(password),
      });
      await startSaga(deps.temporal, {
        workflowType: 'signupWorkflow',
        workflowId: signupWorkflowId(signupId),
        args: [{ signupId, memberId, role, nickname, favoriteStyles }],
        sagaType: 'signup',
        memberId,
      });
      return answerSagaStart(c, {
        temporal: deps.temporal,
        workflowId: signupWorkflowId(signupId),
        location: `/signups/${signupId}`,
        id: signupId,
        decorate: (view) => (view.status === 'COMPLETED' && view.result ? { memberId: (view.result as SignupResult).memberId } : {}),
      });
    })
    .openapi(signupStatusRoute, async (c) => {
      const { id } = c.req.valid('param');
      const saga = await readSaga<SignupResult>(deps.temporal, signupWorkflowId(id));
      if (!saga) throw new AppError('NOT_FOUND', `no signup ${id}`);
      const { result, ...progress } = saga.view;
      return c.json({ id, ...progress, ...(progress.status === 'COMPLETED' && result ? { memberId: result.memberId } : {}) }, 200);
    })
    .openapi(loginRoute, async (c) => {
      const { email, password } = c.req.valid('json');
      const address = clientAddress(c, deps.trustedProxyHops ?? 0);
      try {
        return c.json({ token: await throttledLogin(deps.db, deps.tokens, throttle, { email, password, address }) }, 200);
      } catch (error) {
        if (error instanceof LoginRateLimited) c.header('Retry-After', String(error.retryAfterSeconds));
        throw error;
      }
    });
}
