import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';

export const ZApiSagaStatus = z.enum(['RUNNING', 'COMPLETED', 'COMPENSATED', 'FAILED']);
/** RUNNING for a new saga; a repeated Idempotency-Key answers the saga's current status. */
export const ZSagaAccepted = z.object({ id: z.uuid(), status: ZApiSagaStatus }).openapi('SagaAccepted');

export const ZSagaStatus = z
  .object({
    id: z.uuid(),
    status: ZApiSagaStatus,
    steps: z.array(z.object({ name: z.string(), status: z.string() })),
    failure: z.object({ step: z.string(), code: z.string(), message: z.string() }).optional(),
    compensationFailure: z
      .object({ step: z.string(), code: z.string(), message: z.string() })
      .optional()
      .openapi({ description: 'an undo that gave up; the saga is FAILED until an operator acts' }),
    progressUnavailable: z.boolean().optional().openapi({ description: 'no worker answered in time; steps are unknown for now' }),
  })
  .openapi('SagaStatus');

/** 202 with the saga id, its status (RUNNING unless an Idempotency-Key found an older one) and a Location header naming its status resource. */
export function sagaAccepted(c: Context, location: string, id: string, status: z.infer<typeof ZApiSagaStatus> = 'RUNNING') {
  c.header('Location', location);
  return c.json({ id, status }, 202);
}
