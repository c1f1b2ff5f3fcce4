import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { progressQuery } from '../../workflows/saga.ts';
import { SEARCH, TASK_QUEUES, type SagaProgress, type SagaStatus } from '../../workflows/contracts.ts';

export type ApiSagaStatus = Exclude<SagaStatus, 'COMPENSATING'>;
export type SagaView<R> = Omit<SagaProgress<R>, 'status'> & { status: ApiSagaStatus };

/** A compensating saga is still running as far as a client is concerned; its steps show the undo. */
function asApiStatus<R>(progress: SagaProgress<R>): SagaView<R> {
  return { ...progress, status: progress.status === 'COMPENSATING' ? 'RUNNING' : progress.status };
}

export interface SagaStart {
  workflowType: string;
  workflowId: string;
  args: unknown[];
  sagaType: string;
  memberId: string;
  bookNo?: number;
}

/**
 * Starts a saga on the `sagas` queue with its search attributes. Starting the
 * same workflow id again (a repeated Idempotency-Key) finds the existing
 * saga, running or finished, instead of starting a second one.
 */
export async function startSaga(client: Client, saga: SagaStart): Promise<void> {
  try {
    await client.workflow.start(saga.workflowType, {
      workflowId: saga.workflowId,
      taskQueue: TASK_QUEUES.sagas,
      args: saga.args,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: SEARCH.sagaType, value: saga.sagaType },
        { key: SEARCH.memberId, value: saga.memberId },
        { key: SEARCH.sagaStatus, value: 'RUNNING' },
        ...(saga.bookNo === undefined ? [] : [{ key: SEARCH.bookNo, value: String(saga.bookNo) }]),
      ],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/**
 * A saga's status resource and the member it belongs to: the live step list
 * while it runs (query), its returned progress once finished, FAILED when
 * Temporal ended it another way (terminated, timed out) and nobody undid its steps.
 */
export async function readSaga<R>(client: Client, workflowId: string): Promise<{ view: SagaView<R>; memberId?: string } | null> {
  const handle = client.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
  const memberId = description.typedSearchAttributes.get(SEARCH.memberId);
  const status = description.status.name;
  let view: SagaView<R>;
  if (status === 'RUNNING') view = asApiStatus((await handle.query(progressQuery)) as SagaProgress<R>);
  else if (status === 'COMPLETED') view = asApiStatus((await handle.result()) as SagaProgress<R>);
  else {
    view = {
      status: 'FAILED',
      steps: [],
      failure: { step: 'saga', code: `WORKFLOW_${status}`, message: `the workflow ended ${status.toLowerCase()}; an operator must look at it` },
    };
  }
  return { view, ...(memberId ? { memberId } : {}) };
}
