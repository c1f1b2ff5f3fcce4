import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { trace } from '@opentelemetry/api';
import { AppError } from './errors.ts';
import type * as workflows from '../../workflows/index.ts';
import { progressQuery } from '../contracts/temporal.ts';
import { SEARCH, TASK_QUEUES, sagaLabel, summaryLine, type SagaProgress, type SagaStatus } from '../contracts/temporal.ts';

/** The sagas whose undo gave up and that wait for an operator (the README's saved query in the Temporal UI). */
export const NEEDS_OPERATOR_QUERY = 'SagaStatus = "COMPENSATION_FAILED" AND ExecutionStatus = "Running"';

/** The four statuses of shared/API.md. */
export type ApiSagaStatus = 'RUNNING' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';
export type SagaView<R> = Omit<SagaProgress<R>, 'status'> & {
  status: ApiSagaStatus;
  /** True when no worker answered the progress query in time: the steps are unknown for now. */
  progressUnavailable?: boolean;
};

const API_STATUS: Record<SagaStatus, ApiSagaStatus> = {
  RUNNING: 'RUNNING',
  // Still running as far as a client is concerned; its steps show the undo.
  COMPENSATING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  COMPENSATED: 'COMPENSATED',
  // Could not be undone: an operator must act (scripts/saga-operator.ts).
  COMPENSATION_FAILED: 'FAILED',
  RESOLVED_BY_OPERATOR: 'FAILED',
  FAILED: 'FAILED',
};

export function toApiStatus(status: SagaStatus): ApiSagaStatus {
  return API_STATUS[status] ?? 'FAILED';
}

function asApiStatus<R>(progress: SagaProgress<R>): SagaView<R> {
  return { ...progress, status: API_STATUS[progress.status] };
}

/** The workflows the worker bundles, by name: a type-only import, so the API loads no workflow code. */
type SagaWorkflows = typeof workflows;
export type SagaWorkflowType = keyof SagaWorkflows;

/** A saga to start, typed by its workflow: the name must be one the worker bundles, and `args` are that workflow's parameters. */
export interface SagaStart<K extends SagaWorkflowType> {
  workflowType: K;
  workflowId: string;
  args: Parameters<SagaWorkflows[K]>;
  sagaType: string;
  memberId: string;
  bookNo?: number;
  /**
   * With an Idempotency-Key: a keyed hash of what was asked (saga-routes.ts),
   * kept in the workflow's memo, so that the same key with another body is refused.
   */
  requestHash?: string;
  /**
   * Start a new run even though a saga with this id has closed. For sagas
   * keyed by their subject (one erasure per member) that were refused and may
   * be asked for again once the refusal no longer holds.
   */
  startAgainIfClosed?: boolean;
}

/** The memo field holding the request hash of a keyed saga. */
const REQUEST_HASH_MEMO = 'requestHash';
/** What the Temporal UI lists for a saga: its type and book, e.g. "rent book 12"; never personal data. */
export function sagaSummary(saga: Pick<SagaStart<SagaWorkflowType>, 'sagaType' | 'bookNo'>): string {
  return sagaLabel(saga.sagaType, saga.bookNo);
}

/**
 * Starts a saga on the `sagas` queue with its search attributes and answers its
 * status. Starting the same workflow id again (a repeated Idempotency-Key)
 * finds the existing saga, running or finished, instead of starting a second
 * one: its current status is answered, or IDEMPOTENCY_KEY_REUSED when it was
 * started for another request.
 */
export async function startSaga<K extends SagaWorkflowType>(client: Client, saga: SagaStart<K>): Promise<ApiSagaStatus> {
  try {
    await client.workflow.start<SagaWorkflows[K]>(saga.workflowType, {
      ...(saga.requestHash ? { memo: { [REQUEST_HASH_MEMO]: saga.requestHash } } : {}),
      workflowId: saga.workflowId,
      taskQueue: TASK_QUEUES.sagas,
      args: saga.args,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: saga.startAgainIfClosed ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // The Temporal UI's summary (user metadata, encrypted by the payload codec like any payload): ids only.
      staticSummary: sagaSummary(saga),
      staticDetails: `${saga.workflowType} on task queue ${TASK_QUEUES.sagas}; live status in the current details and the SagaStatus and SagaSummary search attributes`,
      typedSearchAttributes: [
        { key: SEARCH.sagaType, value: saga.sagaType },
        { key: SEARCH.memberId, value: saga.memberId },
        { key: SEARCH.sagaStatus, value: 'RUNNING' },
        // The workflow list's column (the list shows search attributes, not the summary); the saga updates it with its status.
        { key: SEARCH.sagaSummary, value: summaryLine(sagaSummary(saga), 'RUNNING') },
        ...(saga.bookNo === undefined ? [] : [{ key: SEARCH.bookNo, value: String(saga.bookNo) }]),
      ],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  // Without a key the id is new: nothing to compare, and it has just started.
  if (!saga.requestHash) return 'RUNNING';
  const existing = await readSaga(client, saga.workflowId);
  if (!existing) return 'RUNNING';
  assertSameRequest(existing, saga.requestHash);
  return existing.view.status;
}

/** Refuses a keyed saga started for another request. Sagas started before requests were hashed carry none and are taken as they are. */
export function assertSameRequest(saga: { requestHash?: string }, requestHash: string): void {
  if (saga.requestHash !== undefined && saga.requestHash !== requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request; use a new key for a new request');
  }
}

/** Whether a saga with this workflow id was started (running or closed). */
export async function sagaExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * The live step list. With no worker to answer (all down or restarting) the
 * query would hang until the server gives up; after two seconds the saga is
 * reported RUNNING with its steps unknown for now.
 */
async function queryProgress<R>(client: Client, handle: WorkflowHandle): Promise<SagaView<R>> {
  try {
    const progress = await client.withDeadline(Date.now() + 2_000, () => handle.query(progressQuery));
    return asApiStatus(progress as SagaProgress<R>);
  } catch (error) {
    // The step list is a worker's answer, best effort: no worker in time (ServiceError), or a worker that
    // failed the query while it restarts or replays (QueryNotRegisteredError, QueryRejectedError). The saga
    // is running whatever the query says; the caller polls again. The request's span keeps the failure.
    trace.getActiveSpan()?.recordException(error instanceof Error ? error : String(error));
    return { status: 'RUNNING', steps: [], progressUnavailable: true };
  }
}

/**
 * A saga's status resource and the member it belongs to: the live step list
 * while it runs (query), its returned progress once finished, FAILED when
 * Temporal ended it another way (terminated, timed out) and nobody undid its steps.
 */
export async function readSaga<R>(
  client: Client,
  workflowId: string,
): Promise<{ view: SagaView<R>; memberId?: string; requestHash?: string } | null> {
  const handle = client.workflow.getHandle(workflowId);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
  const memberId = description.typedSearchAttributes.get(SEARCH.memberId);
  const status = description.status.name;
  let view: SagaView<R>;
  if (status === 'RUNNING') view = await queryProgress<R>(client, handle);
  else if (status === 'COMPLETED') view = asApiStatus((await handle.result()) as SagaProgress<R>);
  else {
    view = {
      status: 'FAILED',
      steps: [],
      failure: {
        step: 'saga',
        code: `WORKFLOW_${status}`,
        message: `the workflow ended ${status.toLowerCase()}; an operator must look at it`,
      },
    };
  }
  const requestHash = description.memo?.[REQUEST_HASH_MEMO];
  return { view, ...(memberId ? { memberId } : {}), ...(typeof requestHash === 'string' ? { requestHash } : {}) };
}
