import { createRoute, z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../platform/db.ts';
import { createRouter } from '../../platform/http/app.ts';
import { errorResponses } from '../../platform/http/problem.ts';
import { assertSameRequest, readSaga, startSaga } from '../../platform/sagas.ts';
import { ZIdempotencyHeaders, anonymousScope, requestHash, sagaId } from '../../platform/http/saga-routes.ts';
import { ADDRESS_CONFIRMED_SIGNAL, signupWorkflowId, type SignupResult } from '../../contracts/temporal.ts';
import { WorkflowNotFoundError } from '@temporalio/client';
import { confirmAddress } from '../verification.ts';
import { hashPassword } from '../domain/password.ts';
import { throttledLogin, type TokenOptions } from '../login.ts';
import { LOGIN_LIMITS, type LoginThrottle } from '../login-throttle.ts';
import { SIGNUP_LIMITS, type SignupThrottle } from '../signup-throttle.ts';
import { clientAddress } from '../../platform/http/client-address.ts';
import { stageSignupApplication } from '../signup.ts';
import { ZGrant } from './session-routes.ts';
import { ZCalendarDate, ZEmail, ZId, passwordString, sizedString, text, headerToken } from '../../platform/http/fields.ts';
import { ZSagaStatus, answerSagaStart, sagaStartResponses } from '../../platform/http/saga-schemas.ts';

const NICKNAME_PATTERN = '^[\\p{L}\\p{N}_.\\-]+$';

export const ZSignupBody = z
  .strictObject({
    email: ZEmail,
    password: passwordString({ min: 8, max: 200 }),
    name: text({ max: 100 }),
    phone: z.string().regex(/^\+?[0-9][0-9 -]{5,19}$/, 'digits, spaces or dashes, optionally starting with +'),
    birthDate: ZCalendarDate,
    gender: z.enum(['MALE', 'FEMALE', 'OTHER']),
    role: z.enum(['USER', 'PARTNER']),
    nickname: sizedString({ min: 2, max: 30 })
      .regex(new RegExp(NICKNAME_PATTERN, 'u'), 'letters, digits, _ . or -')
      .openapi({ pattern: NICKNAME_PATTERN }),
    favoriteStyles: z.array(text({ max: 40 })).max(20),
  })
  .openapi('SignupRequest');

const signupRoute = createRoute({
  method: 'post',
  path: '/signups',
  summary: `Start a signup saga (at most ${SIGNUP_LIMITS.perAddress} per client address in ${SIGNUP_LIMITS.windowMs / 60_000} minutes by default: SIGNUP_LIMIT_PER_ADDRESS)`,
  request: { headers: ZIdempotencyHeaders, body: { content: { 'application/json': { schema: ZSignupBody } }, required: true } },
  responses: {
    ...sagaStartResponses('saga started (or, for a repeated Idempotency-Key, found)'),
    ...errorResponses(400, 413, 415, 422, 429, 503),
  },
});

const signupStatusRoute = createRoute({
  method: 'get',
  path: '/signups/{id}',
  summary: 'Signup saga status',
  request: { params: z.object({ id: ZId }) },
  responses: {
    200: {
      description: 'status resource',
      content: { 'application/json': { schema: ZSagaStatus.extend({ memberId: z.uuid().optional() }) } },
    },
    ...errorResponses(400, 404),
  },
});

const verifyRoute = createRoute({
  method: 'get',
  path: '/signups/{id}/verify',
  summary: 'Confirm a signup address through the mailed link (anyone holding the link); the waiting signup saga goes on',
  request: {
    params: z.object({ id: ZId }),
    query: z.strictObject({ token: headerToken({ max: 200 }) }),
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
    body: {
      content: { 'application/json': { schema: z.strictObject({ email: ZEmail, password: passwordString({ min: 1, max: 200 }) }) } },
      required: true,
    },
  },
  responses: {
    200: { description: 'a bearer token and a refresh token (a new session)', content: { 'application/json': { schema: ZGrant } } },
    ...errorResponses(400, 401, 413, 415, 429, 503),
  },
});

export function authRoutes(deps: {
  db: Db;
  temporal: Client;
  tokens: TokenOptions;
  throttle: LoginThrottle;
  signups: SignupThrottle;
  trustedProxyHops?: number;
  /** How long a signup waits for its address to be confirmed (SIGNUP_VERIFICATION_SECONDS). */
  verificationSeconds?: number;
}) {
  const { throttle } = deps;
  return createRouter()
    .openapi(signupRoute, async (c) => {
      const body = c.req.valid('json');
      // Before the password is hashed: a refused signup costs one small query.
      await deps.signups.admit(clientAddress(c, deps.trustedProxyHops ?? 0));
      const key = c.req.valid('header')['idempotency-key'];
      // An anonymous caller's keys are scoped by the email it signs up, and bound to the whole body.
      const scope = key ? anonymousScope(deps.tokens.secret, body.email) : '';
      const signupId = sagaId('signup', key, scope);
      const memberId = sagaId('member', key, scope);
      const hash = key ? requestHash(deps.tokens.secret, 'signup', scope, body) : undefined;
      if (hash) {
        // A repeated key answers before anything is staged: a finished signup's application is gone and must not come back.
        const existing = await readSaga(deps.temporal, signupWorkflowId(signupId));
        if (existing) {
          assertSameRequest(existing, hash);
          return answerSagaStart(c, {
            temporal: deps.temporal,
            workflowId: signupWorkflowId(signupId),
            location: `/signups/${signupId}`,
            id: signupId,
            status: existing.view.status,
          });
        }
      }
      const { password, nickname, favoriteStyles, role, ...contact } = body;
      await stageSignupApplication(deps.db, {
        signupId,
        ...contact,
        role,
        birthDate: new Date(`${contact.birthDate}T00:00:00Z`),
        passwordHash: await hashPassword(password),
      });
      const status = await startSaga(deps.temporal, {
        workflowType: 'signupWorkflow',
        workflowId: signupWorkflowId(signupId),
        args: [{ signupId, memberId, role, nickname, favoriteStyles, verificationSeconds: deps.verificationSeconds ?? 24 * 3600 }],
        sagaType: 'signup',
        memberId,
        ...(hash ? { requestHash: hash } : {}),
      });
      return answerSagaStart(c, {
        temporal: deps.temporal,
        workflowId: signupWorkflowId(signupId),
        location: `/signups/${signupId}`,
        id: signupId,
        status,
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
        if (error instanceof WorkflowNotFoundError)
          throw new AppError('VERIFICATION_EXPIRED', 'this confirmation link has expired; sign up again');
        throw error;
      }
      c.header('Location', `/signups/${id}`);
      return c.json({ id, status: 'CONFIRMED' as const }, 200);
    })
    .openapi(loginRoute, async (c) => {
      const { email, password } = c.req.valid('json');
      const address = clientAddress(c, deps.trustedProxyHops ?? 0);
      // Over the limit: 429 with Retry-After (RetryLaterError, answered by the app's error handler).
      const { token, refreshToken, expiresIn } = await throttledLogin(deps.db, deps.tokens, throttle, { email, password, address });
      return c.json({ token, refreshToken, expiresIn }, 200);
    });
}
