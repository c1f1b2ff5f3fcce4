/**
 * A member's sagas, listed from Temporal's visibility store: every saga is
 * started with the search attributes MemberId, SagaType and SagaStatus
 * (sagas.ts, saga.ts), so the list needs no read model of its own, and a
 * refused saga is there as surely as a completed one. README "My sagas" says
 * what that costs (eventual consistency, the namespace's retention).
 */
import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto'; // CommonJS: no named ESM exports
import { SEARCH, type SagaProgress } from '../contracts/temporal.ts';
import { toApiStatus, type ApiSagaStatus } from './sagas.ts';

/** The sagas a member may see in the list; the loan timer is a workflow, not a saga, and is left out. */
export const MEMBER_SAGA_TYPES = ['signup', 'rent', 'return', 'clear-overdue', 'settle-fee', 'erasure'] as const;
export type MemberSagaType = (typeof MEMBER_SAGA_TYPES)[number];

export interface MySagaQuery {
  memberId: string;
  type?: MemberSagaType;
  status?: ApiSagaStatus;
  limit: number;
  /** Temporal's own page token, handed back unchanged. */
  pageToken?: Uint8Array;
}

export interface MySaga {
  id: string;
  type: string;
  status: ApiSagaStatus;
  startedAt: string;
  closedAt?: string;
  failure?: { step: string; code: string; message: string };
}

/** Visibility query text for an API status (SagaStatus values from workflows/contracts.ts). */
const STATUS_QUERY: Record<ApiSagaStatus, string> = {
  RUNNING: `ExecutionStatus = "Running" AND SagaStatus != "COMPENSATION_FAILED"`,
  COMPLETED: `ExecutionStatus = "Completed" AND SagaStatus = "COMPLETED"`,
  COMPENSATED: `ExecutionStatus = "Completed" AND SagaStatus = "COMPENSATED"`,
  FAILED: `(SagaStatus IN ("COMPENSATION_FAILED", "RESOLVED_BY_OPERATOR") OR ExecutionStatus IN ("Failed", "Terminated", "Canceled", "TimedOut", "ContinuedAsNew"))`,
};

export function mySagasQuery(query: Pick<MySagaQuery, 'memberId' | 'type' | 'status'>): string {
  const types = query.type ? [query.type] : MEMBER_SAGA_TYPES;
  // memberId is a UUID from a verified token and type/status come from enums: nothing here is free text.
  return [
    `MemberId = "${query.memberId}"`,
    `SagaType IN (${types.map((type) => `"${type}"`).join(', ')})`,
    ...(query.status ? [STATUS_QUERY[query.status]] : []),
  ].join(' AND ');
}

const { WorkflowExecutionStatus } = proto.temporal.api.enums.v1;

/** The id a status resource is read by: the workflow id without its saga prefix. */
function sagaIdOf(workflowId: string, type: string): string {
  return workflowId.startsWith(`${type}-`) ? workflowId.slice(type.length + 1) : workflowId;
}

/**
 * One page of the member's sagas, running ones first, then the most recently
 * closed (the order of Temporal's SQL visibility). A refused saga's failure is
 * read from its result (one history read per refused saga on the page).
 */
export async function listMySagas(client: Client, query: MySagaQuery): Promise<{ items: MySaga[]; nextPageToken?: Uint8Array }> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: mySagasQuery(query),
    pageSize: query.limit,
    ...(query.pageToken ? { nextPageToken: query.pageToken } : {}),
  });
  const items = await Promise.all(
    response.executions.map(async (execution): Promise<MySaga> => {
      const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const type = attributes.get(SEARCH.sagaType) ?? 'unknown';
      const sagaStatus = attributes.get(SEARCH.sagaStatus) ?? 'RUNNING';
      const workflowId = execution.execution?.workflowId ?? '';
      const closedMs = optionalTsToMs(execution.closeTime);
      const running = execution.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
      const completed = execution.status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
      const status: ApiSagaStatus = running
        ? sagaStatus === 'COMPENSATION_FAILED'
          ? 'FAILED'
          : 'RUNNING'
        : completed
          ? toApiStatus(sagaStatus as SagaProgress['status'])
          : 'FAILED';
      const item: MySaga = {
        id: sagaIdOf(workflowId, type),
        type,
        status,
        startedAt: new Date(optionalTsToMs(execution.startTime) ?? 0).toISOString(),
        ...(closedMs !== undefined ? { closedAt: new Date(closedMs).toISOString() } : {}),
      };
      if (completed && status !== 'COMPLETED') {
        const progress = (await client.workflow.getHandle(workflowId, execution.execution?.runId ?? undefined).result()) as SagaProgress;
        if (progress.failure) item.failure = progress.failure;
      } else if (!running && !completed) {
        item.failure = {
          step: 'saga',
          code: `WORKFLOW_${String(WorkflowExecutionStatus[execution.status ?? 0]).replace('WORKFLOW_EXECUTION_STATUS_', '')}`,
          message: 'the workflow ended without finishing its saga',
        };
      }
      return item;
    }),
  );
  const token = response.nextPageToken;
  return { items, ...(token && token.length > 0 ? { nextPageToken: token } : {}) };
}
