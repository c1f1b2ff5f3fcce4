/**
 * The remote codec endpoint of the Temporal UI and the `temporal` CLI
 * (`--ui-codec-endpoint`, `--codec-endpoint`): POST /codec/decode and
 * /codec/encode take and give `{payloads: [{metadata: {k: base64}, data: base64}]}`
 * with the namespace in `X-Namespace`.
 *
 * Who may call it: an admin bearer token, the codec token (TEMPORAL_CODEC_AUTH_TOKEN,
 * for tools), or a codec session cookie (codec-session.ts, for the browser).
 * Browsers may call it only from the Temporal UI's origin (TEMPORAL_UI_URL).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { timingSafeEqual } from 'node:crypto';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.ts';
import { isEncrypted } from '../payload-codec.ts';
import { createRouter, type ApiEnv } from './app.ts';
import type { Authenticator } from './authenticator.ts';
import { hasCodecSession } from './codec-session.ts';
import { bearerSecurity } from './guards.ts';
import { errorResponses } from './problem.ts';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
const ZPayloadJson = z
  .looseObject({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })
  .openapi('Payload', { description: 'a Temporal Payload in protobuf JSON: bytes as base64' });
const ZPayloads = z.object({ payloads: z.array(ZPayloadJson).max(1000) }).openapi('Payloads');
type TPayloadJson = z.infer<typeof ZPayloadJson>;

const codecRoute = (action: 'decode' | 'encode', namespace: string) =>
  createRoute({
    method: 'post',
    path: `/codec/${action}`,
    summary:
      action === 'decode'
        ? 'Decrypt payloads for the Temporal UI or CLI (admin, codec token or codec session)'
        : 'Encrypt payloads (the UI uses it to send signals and updates with encrypted input)',
    description:
      'The Temporal remote codec protocol. Besides a bearer token, the `codec_session` cookie set by GET /codec/login is accepted.',
    security: bearerSecurity,
    request: {
      headers: z.object({
        'x-namespace': z
          .enum(['', namespace])
          .optional()
          .openapi({ description: `the namespace the payloads belong to: this codec serves ${namespace} (the CLI sends it empty)` }),
      }),
      body: { content: { 'application/json': { schema: ZPayloads } }, required: true },
    },
    responses: {
      200: { description: 'the payloads, same order', content: { 'application/json': { schema: ZPayloads } } },
      ...errorResponses(400, 401, 403),
    },
  });

const fromJson = (payload: TPayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data ?? '', 'base64'),
});
const toJson = (payload: Payload): TPayloadJson => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Admin bearer token, codec token, or codec session cookie. */
export function requireCodecAccess(options: { auth: Authenticator; secret: string; codecToken?: string }) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    if (await hasCodecSession(c, options)) return next();
    const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!bearer)
      throw new AppError('UNAUTHORIZED', 'an admin bearer token, the codec token or a codec session (sign in at /codec/login) is required');
    if (options.codecToken && sameSecret(bearer, options.codecToken)) return next();
    const principal = await options.auth.verify(bearer);
    if (principal.role !== 'ADMIN') throw new AppError('FORBIDDEN', 'only an admin may decode or encode payloads');
    c.set('principal', principal);
    return next();
  });
}

/** `secret` (JWT_SECRET) keys the codec session cookie (codec-session.ts). */
export function codecRoutes(deps: {
  codec: PayloadCodec;
  namespace: string;
  auth: Authenticator;
  secret: string;
  codecToken?: string;
  uiUrl?: string;
}) {
  const uiOrigin = deps.uiUrl ? new URL(deps.uiUrl).origin : undefined;
  const router = createRouter();
  // Before the access check: a preflight carries no credentials.
  router.use(
    '/codec/*',
    cors({
      origin: (origin) => (origin === uiOrigin ? origin : null),
      allowMethods: ['POST'],
      allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization', 'Authorization-Extras'],
      credentials: true,
      maxAge: 600,
    }),
  );
  router.use('/codec/decode', requireCodecAccess(deps));
  router.use('/codec/encode', requireCodecAccess(deps));

  const convert = async (payloads: TPayloadJson[], action: 'decode' | 'encode') => {
    try {
      if (action === 'encode') return (await deps.codec.encode(payloads.map(fromJson))).map(toJson);
      // What was never encrypted goes back exactly as it came.
      return await Promise.all(
        payloads.map(async (json) => {
          const payload = fromJson(json);
          return isEncrypted(payload) ? toJson((await deps.codec.decode([payload]))[0]!) : json;
        }),
      );
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', (error as Error).message, [{ path: 'payloads', message: (error as Error).message }]);
    }
  };

  return (
    router
      // The header schema admits only this namespace (or none: the CLI sends an empty one unless told).
      .openapi(codecRoute('decode', deps.namespace), async (c) => {
        return c.json({ payloads: await convert(c.req.valid('json').payloads, 'decode') }, 200);
      })
      .openapi(codecRoute('encode', deps.namespace), async (c) => {
        return c.json({ payloads: await convert(c.req.valid('json').payloads, 'encode') }, 200);
      })
  );
}
