import { ApplicationFailure } from '@temporalio/common';
import { AppError } from '../services/platform/errors.ts';

/**
 * Runs a service call as an activity: a business refusal (AppError) becomes a
 * non-retryable failure typed with its code; anything else is thrown as is and
 * retried by the activity's retry policy.
 */
export async function refusalsAsFailures<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw ApplicationFailure.nonRetryable(error.message, error.code);
    throw error;
  }
}
