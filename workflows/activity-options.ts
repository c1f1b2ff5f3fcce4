import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';

/**
 * Steps: infrastructure failures are retried with backoff; business refusals
 * arrive as non-retryable ApplicationFailures and end the step at once.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  // A cancelled saga waits for the running step to end before it unwinds, so no undo runs before its step lands.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
};

/**
 * Compensations are retried for about half an hour (backoff to 1 minute); one
 * that still fails leaves the saga COMPENSATION_FAILED, waiting for an operator
 * (saga.ts), rather than silently half-undone.
 */
export const COMPENSATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 40 },
};

/** Steps past the pivot (after which nothing can refuse) are retried until they succeed. */
export const PIVOT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** One service's activities three ways: as a step, as an undo, and as a step past the pivot. */
export function serviceActivities<T>(taskQueue: string) {
  return {
    step: proxyActivities<T>({ taskQueue, ...STEP_OPTIONS }),
    undo: proxyActivities<T>({ taskQueue, ...COMPENSATION_OPTIONS }),
    final: proxyActivities<T>({ taskQueue, ...PIVOT_OPTIONS }),
  };
}
