import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';

export const ZSagaAccepted = z.object({ id: z.uuid(), status: z.literal('RUNNING') }).openapi('SagaAccepted');

export const ZSagaStatus = z
  .object({
    id: z.uuid(),
    status: z.enum(['RUNNING', 'COMPLETED', 'COMPENSATED', 'FAILED']),
    steps: z.array(z.object({ name: z.string(), status: z.string() })),
    failure: z.object({ step: z.string(), code: z.string(), message: z.string() }).optional(),
    compensationFailure: z
      .object({ step: z.string(), code: z.string(), message: z.string() })
      .optional()
      .openapi({ description: 'an undo that gave up; the saga is FAILED until an operator acts' }),
    progressUnavailable: z.boolean().optional().openapi({ description: 'no worker answered in time; steps are unknown for now' }),
  })
  .openapi('SagaStatus');

/** 202 with the saga id and a Location header naming its status resource. */
export function sagaAccepted(c: Context, location: string, id: string) {
  c.header('Location', location);
  return c.json({ id, status: 'RUNNING' as const }, 202);
}
