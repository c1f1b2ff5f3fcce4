import { z } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Context } from 'hono';
import { readSaga, type SagaView } from '../sagas.ts';

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
    progressUnavailable: z
      .boolean()
      .optional()
      .openapi({ description: 'no worker answered the step list in time (or one failed to while restarting); steps are unknown for now' }),
  })
  .openapi('SagaStatus');

/** How a saga's result appears in its status resource (`loan`, `returned`, ...). */
export type ExtendStatus = (result: unknown) => Record<string, unknown>;

/** The status resource: the progress, and the result under the saga's own name once there is one. */
export function sagaStatusBody(id: string, view: SagaView<unknown>, extend?: ExtendStatus) {
  const { result, ...progress } = view;
  return { id, ...progress, ...(result !== undefined && extend ? extend(result) : {}) };
}

/** The answers of a saga POST, for the OpenAPI document. */
export function sagaStartResponses(description = 'saga started; poll the Location') {
  return {
    200: {
      description: 'with `Prefer: wait=N`: the saga ended within N seconds; its final status resource (`Preference-Applied` says so)',
      content: { 'application/json': { schema: ZSagaStatus.passthrough() } },
    },
    202: { description, content: { 'application/json': { schema: ZSagaAccepted } } },
  };
}

/** Longest `Prefer: wait` honoured, in seconds. */
export const MAX_PREFER_WAIT_SECONDS = 10;

/**
 * The seconds of a `Prefer: wait=N` header (RFC 7240), capped at 10, or undefined
 * when the client asked for no wait. A preference the server does not understand is
 * ignored, as the RFC says, rather than refused.
 */
export function preferredWaitSeconds(header: string | undefined): number | undefined {
  const match = header ? /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?(?=$|[,;\s])/i.exec(header) : null;
  if (!match) return undefined;
  return Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS);
}

/** 202 with the saga id, its status (RUNNING unless an Idempotency-Key found an older one) and a Location header naming its status resource. */
export function sagaAccepted(c: Context, location: string, id: string, status: z.infer<typeof ZApiSagaStatus> = 'RUNNING') {
  c.header('Location', location);
  return c.json({ id, status }, 202);
}

export interface SagaAnswer {
  temporal: Client;
  workflowId: string;
  location: string;
  id: string;
  /** What the 202 says: RUNNING, or a repeated Idempotency-Key's saga's current status. */
  status?: z.infer<typeof ZApiSagaStatus>;
  extend?: ExtendStatus;
  /** Extra fields of this saga's status resource (the signup's memberId). */
  decorate?: (view: SagaView<unknown>) => Record<string, unknown>;
}

/**
 * Answers a saga POST: 202 as always, or, when the client sent `Prefer: wait=N`
 * and the saga ends within N seconds, 200 with its final status resource. Either
 * way `Location` names the status resource, and `Preference-Applied` says the wait
 * was honoured. The wait is a long poll on the workflow's result, cancelled when
 * the time is up, so nothing keeps polling after the answer.
 */
export async function answerSagaStart(c: Context, answer: SagaAnswer) {
  const seconds = preferredWaitSeconds(c.req.header('prefer'));
  if (seconds === undefined) return sagaAccepted(c, answer.location, answer.id, answer.status);
  c.header('Preference-Applied', `wait=${seconds}`);
  c.header('Vary', 'Prefer');
  if (await endedWithin(answer.temporal, answer.workflowId, seconds * 1000)) {
    const saga = await readSaga(answer.temporal, answer.workflowId);
    if (saga && saga.view.status !== 'RUNNING') {
      c.header('Location', answer.location);
      return c.json({ ...sagaStatusBody(answer.id, saga.view, answer.extend), ...answer.decorate?.(saga.view) }, 200);
    }
  }
  return sagaAccepted(c, answer.location, answer.id, answer.status);
}

async function endedWithin(temporal: Client, workflowId: string, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    // A deadline past the wait, so that a default one per call (the API's) does not end the long poll first.
    await temporal.withDeadline(Date.now() + ms + 2_000, () =>
      temporal.withAbortSignal(controller.signal, () => temporal.workflow.getHandle(workflowId).result()),
    );
    return true;
  } catch {
    // Timed out (aborted), or the workflow ended without a result (terminated): readSaga tells which.
    return !controller.signal.aborted;
  } finally {
    clearTimeout(timer);
  }
}
