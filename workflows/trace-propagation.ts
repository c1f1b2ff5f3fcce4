/**
 * The workflow interceptors bundled when no span leaves the worker (no
 * OTEL_* exporter): the trace context the client put on the workflow start
 * is copied, untouched, onto every activity, child workflow, signal and
 * continue-as-new the workflow sends. Activity spans (made outside the
 * sandbox) then hang under the client's StartWorkflow span, so a saga stays
 * one trace and its ids reach the logs, without making and shipping
 * RunWorkflow / StartActivity spans out of the sandbox that nobody receives
 * (a quarter of the worker's CPU per saga, docs/PERFORMANCE.md). With an
 * exporter the worker bundles @temporalio/interceptors-opentelemetry instead.
 */
import type { Headers, WorkflowInterceptorsFactory } from '@temporalio/workflow';

/** The header @temporalio/interceptors-opentelemetry carries the W3C context in (its TRACE_HEADER; a test keeps them equal). */
export const TRACE_HEADER = '_tracer-data';

export const interceptors: WorkflowInterceptorsFactory = () => {
  // Called once per workflow execution: this closure is that execution's own.
  let trace: Headers | undefined;
  const carry = <T extends { headers: Headers }>(input: T): T => (trace ? { ...input, headers: { ...input.headers, ...trace } } : input);
  return {
    inbound: [
      {
        execute(input, next) {
          const header = input.headers[TRACE_HEADER];
          if (header) trace = { [TRACE_HEADER]: header };
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(carry(input)),
        scheduleLocalActivity: (input, next) => next(carry(input)),
        startChildWorkflowExecution: (input, next) => next(carry(input)),
        signalWorkflow: (input, next) => next(carry(input)),
        continueAsNew: (input, next) => next(carry(input)),
      },
    ],
  };
};
