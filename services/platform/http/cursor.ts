/** Opaque page cursors: base64url JSON, checked by zod when they come back. */
import { z } from '@hono/zod-openapi';
import { AppError } from '../errors.ts';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A query parameter holding a cursor whose decoded content must match `shape`.
 * A string that is not base64url text is a 400 on `cursor`; any other string that
 * is not a cursor of this list names no page of it: 404 NOT_FOUND (a cursor is
 * opaque, so no schema can say which base64url strings are cursors).
 */
export function ZCursor<T extends z.ZodType>(shape: T) {
  return z
    .string()
    .max(2000)
    .regex(/^[A-Za-z0-9_-]+$/, 'a cursor is base64url text')
    .transform((text): z.infer<T> => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const parsed = shape.safeParse(decoded);
      if (!parsed.success) throw new AppError('NOT_FOUND', 'no page of this list has that cursor; start again without one');
      return parsed.data;
    })
    .openapi({ type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 2000, description: 'nextCursor of the previous page' });
}
