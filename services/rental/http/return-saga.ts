/** Starts a return saga and answers it: a member's own return and an admin's return on a member's behalf are the same saga. */
import type { Context } from 'hono';
import type { Client } from '@temporalio/client';
import { answerSagaStart } from '../../platform/http/saga-schemas.ts';
import { startSaga } from '../../platform/sagas.ts';
import { returnWorkflowId } from '../../contracts/temporal.ts';

export async function startReturnSaga(
  c: Context,
  deps: { temporal: Client; returnId: string; memberId: string; bookNo: number; requestHash?: string },
) {
  const { temporal, returnId, memberId, bookNo, requestHash } = deps;
  const workflowId = returnWorkflowId(returnId);
  const status = await startSaga(temporal, {
    workflowType: 'returnWorkflow',
    workflowId,
    args: [{ returnId, memberId, bookNo }],
    sagaType: 'return',
    memberId,
    bookNo,
    ...(requestHash ? { requestHash } : {}),
  });
  return answerSagaStart(c, {
    temporal,
    workflowId,
    location: `/returns/${returnId}`,
    id: returnId,
    status,
    extend: (result) => ({ returned: result }),
  });
}
