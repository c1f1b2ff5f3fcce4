import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { readSaga, startSaga } from '../../platform/sagas.ts';
import { ZIdempotencyHeaders, sagaId } from '../../platform/http/saga-routes.ts';
import { ADDRESS_CONFIRMED_SIGNAL, signupWorkflowId, type SignupResult } from '../../../workflows/contracts.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import { confirmAddress } from '../verification.ts';
import { hashPassword } from '../domain/password.ts';
import { LoginRateLimited, throttledLogin, type TokenOptions } from '../login.ts';
import { LOGIN_LIMITS, LoginThrottle } from '../login-throttle.ts';
import { clientAddress } from '../../platform/http/client-address.ts';
import { stageSignupApplication } from '../signup.ts';
import { ZSagaAccepted, ZSagaStatus, sagaAccepted } from '../../platform/http/saga-schemas.ts';

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
  responses: { 202: { description: 'saga started', content: { 'application/json': { schema: ZSagaAccepted } } }, ...errorResponses(400, 413) },
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

const verifyRoute = createRoute({
  method: 'get',
  path: '/signups/{id}/verify',
  summary: 'Confirm a signup address through the mailed link (anyone holding the link); the waiting signup saga goes on',
  request: {
    params: z.object({ id: z.uuid() }),
    query: z.strictObject({ token: z.string().min(1).max(200) }),
  },
  responses: {
    200: {
      description: 'confirmed; the signup saga goes on (follow `Location` for its status)',
      content: { 'application/json': { schema: z.object({ id: z.uuid(), status: z.literal('CONFIRMED') }).openapi('SignupConfirmed') } },
    },
    ...errorResponses(400, 409, 410),
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

export function authRoutes(deps: {
  db: Db;
  temporal: Client;
  tokens: TokenOptions;
  throttle?: LoginThrottle;
  trustedProxyHops?: number;
  /** How long a signup waits for its address to be confirmed (SIGNUP_VERIFICATION_SECONDS). */
  verificationSeconds?: number;
}) {
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
        args: [{ signupId, memberId, role, nickname, favoriteStyles, verificationSeconds: deps.verificationSeconds ?? 24 * 3600 }],
        sagaType: 'signup',
        memberId,
      });
      return sagaAccepted(c, `/signups/${signupId}`, signupId);
    })
    .openapi(signupStatusRoute, async (c) => {
      const { id } = c.req.valid('param');
      const saga = await readSaga<SignupResult>(deps.temporal, signupWorkflowId(id));
      if (!saga) throw new AppError('NOT_FOUND', `no signup ${id}`);
      const { result, ...progress } = saga.view;
      return c.json({ id, ...progress, ...(progress.status === 'COMPLETED' && result ? { memberId: result.memberId } : {}) }, 200);
    })
    .openapi(verifyRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { token } = c.req.valid('query');
      const { undo } = await confirmAddress(deps.db, { signupId: id, token });
      try {
        // The signal carries nothing: the token stays out of the workflow history.
        await deps.temporal.workflow.getHandle(signupWorkflowId(id)).signal(ADDRESS_CONFIRMED_SIGNAL);
      } catch (error) {
        await undo();
        // The saga ended (its time ran out) while the link was being followed.
        if (error instanceof WorkflowNotFoundError) throw new AppError('VERIFICATION_EXPIRED', 'this confirmation link has expired; sign up again');
        throw error;
      }
      c.header('Location', `/signups/${id}`);
      return c.json({ id, status: 'CONFIRMED' as const }, 200);
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
