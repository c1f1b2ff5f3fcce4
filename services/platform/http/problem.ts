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

/** Error responses every route may give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'VALIDATION_FAILED: the failing fields are in `details`',
    401: 'UNAUTHORIZED or INVALID_CREDENTIALS',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    409: 'a conflict; see the code',
    422: 'understood but refused; see the code',
    413: 'PAYLOAD_TOO_LARGE',
    429: 'RATE_LIMITED',
  };
  return Object.fromEntries(
    statuses.map((status) => [status, { description: descriptions[status] ?? 'error', content: { 'application/json': { schema: ZErrorBody } } }]),
  );
}
