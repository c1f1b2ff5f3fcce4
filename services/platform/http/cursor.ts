/** Opaque page cursors: base64url JSON, checked by zod when they come back. */
import { z } from '@hono/zod-openapi';
import { AppError } from '../errors.ts';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A query parameter holding a cursor whose decoded content must match `shape`.
 * Any other string names no page of the list: 404 NOT_FOUND (a cursor is opaque,
 * so no schema can say which strings are cursors; the document says "a string").
 */
export function ZCursor<T extends z.ZodType>(shape: T) {
  return z
    .string()
    .max(2000)
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
    .openapi({ type: 'string', description: 'nextCursor of the previous page' });
}
