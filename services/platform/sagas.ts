import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { progressQuery } from '../../workflows/saga.ts';
import type { SagaProgress, SagaStatus } from '../../workflows/contracts.ts';

export type SagaView<R> = Omit<SagaProgress<R>, 'status'> & { status: Exclude<SagaStatus, 'COMPENSATING'> };

/** A compensating saga is still running as far as a client is concerned; its steps show the undo. */
function asApiStatus<T extends SagaProgress>(progress: T): T & { status: Exclude<SagaStatus, 'COMPENSATING'> } {
  return { ...progress, status: progress.status === 'COMPENSATING' ? 'RUNNING' : progress.status };
}

/**
 * A saga's status resource: the live step list while it runs (query), its
 * returned progress once it has finished, FAILED when Temporal ended it in
 * another way (terminated, timed out) and nobody undid its steps.
 */
export async function readSaga<R>(client: Client, workflowId: string): Promise<SagaView<R> | null> {
  const handle = client.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
  if (status === 'RUNNING') return asApiStatus((await handle.query(progressQuery)) as SagaProgress<R>);
  if (status === 'COMPLETED') return asApiStatus((await handle.result()) as SagaView<R>);
  return {
    status: 'FAILED' satisfies SagaStatus,
    steps: [],
    failure: { step: 'saga', code: `WORKFLOW_${status}`, message: `the workflow ended ${status.toLowerCase()}; an operator must look at it` },
  };
}
