import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';

/**
 * Steps: infrastructure failures are retried with backoff; business refusals
 * arrive as non-retryable ApplicationFailures and end the step at once.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
};

/** Compensations are retried until they succeed: an undo that gives up leaves the saga half-done. */
export const COMPENSATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** Steps past the pivot (after which nothing can refuse) are retried until they succeed, like compensations. */
export const PIVOT_OPTIONS: ActivityOptions = COMPENSATION_OPTIONS;

/** One service's activities three ways: as a step, as an undo, and as a step past the pivot. */
export function serviceActivities<T>(taskQueue: string) {
  return {
    step: proxyActivities<T>({ taskQueue, ...STEP_OPTIONS }),
    undo: proxyActivities<T>({ taskQueue, ...COMPENSATION_OPTIONS }),
    final: proxyActivities<T>({ taskQueue, ...PIVOT_OPTIONS }),
  };
}
