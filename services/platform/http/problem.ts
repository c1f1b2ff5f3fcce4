import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode, type ErrorDetail } from '../errors.ts';

/** The one error shape of the API (shared/API.md). */
export const ZErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  })
  .openapi('Error');

export function errorResponse(c: Context, code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  const error = new AppError(code, message, details);
  return c.json({ error: { code, message, details } }, error.status as ContentfulStatusCode);
}

/** zod issues as `{path: "field.sub", message}` pairs. */
export function issuesToDetails(issues: readonly { path: PropertyKey[]; message: string }[]): ErrorDetail[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED: the failing fields are in `details`',
  401: 'UNAUTHORIZED or INVALID_CREDENTIALS',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'a conflict; see the code',
  413: 'PAYLOAD_TOO_LARGE: the body is larger than 64 KiB',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not `application/json`',
  422: 'the request is well formed but cannot be processed; see the code (IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used with another body)',
  429: 'RATE_LIMITED: `Retry-After` says when to try again',
  503: 'SERVER_BUSY (too many password hashes at once) or SERVICE_UNAVAILABLE: `Retry-After` says when to try again',
};

/** Error responses a route declares beyond the standard ones (those are added for it, see `withStandardErrors`). */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status] ?? 'error', content: { 'application/json': { schema: ZErrorBody } } },
    ]),
  );
}

interface DocumentedRoute {
  method: string;
  security?: unknown[];
  request?: { params?: unknown; query?: unknown; headers?: unknown; cookies?: unknown; body?: unknown };
  responses: Record<string | number, unknown>;
}

/**
 * The error statuses the app's own plumbing gives on a route of this shape,
 * whatever its handler does: 400 for any input it validates, 401 behind a
 * bearer token, 404 for an id in the path, 413 for a body over the limit
 * (any method that may carry one), 415 for a body that is not JSON.
 */
export function standardErrorStatuses(route: DocumentedRoute): number[] {
  const { params, query, headers, cookies, body } = route.request ?? {};
  const statuses: number[] = [];
  if (params || query || headers || cookies || body) statuses.push(400);
  if (route.security?.length) statuses.push(401);
  if (params) statuses.push(404);
  if (body || !['get', 'head'].includes(route.method)) statuses.push(413);
  if (body) statuses.push(415);
  return statuses;
}

/** Adds the standard error responses to every documented route that does not declare them itself (idempotent). */
export function withStandardErrors(definitions: readonly { type: string; route?: DocumentedRoute }[]): void {
  for (const definition of definitions) {
    const route = definition.route;
    if (definition.type !== 'route' || !route) continue;
    const missing = standardErrorStatuses(route).filter((status) => !(status in route.responses));
    if (missing.length > 0) route.responses = { ...route.responses, ...errorResponses(...missing) };
  }
}
