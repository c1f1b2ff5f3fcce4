/** Opaque page cursors: base64url JSON, checked by zod when they come back. */
import { z } from '@hono/zod-openapi';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A query parameter holding a cursor whose decoded content must match `shape`; anything else is a 400 on `cursor`. */
export function ZCursor<T extends z.ZodType>(shape: T) {
  return z
    .string()
    .max(2000)
    .transform((text, ctx): z.infer<T> => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const parsed = shape.safeParse(decoded);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this list gave out' });
        return z.NEVER;
      }
      return parsed.data;
    })
    .openapi({ type: 'string', description: 'nextCursor of the previous page' });
}
