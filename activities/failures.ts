import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { AppError } from '../services/platform/errors.ts';

/**
 * How an activity's error reaches Temporal: a business refusal (AppError)
 * becomes a non-retryable failure typed with its code, so the saga compensates
 * at once; anything else is returned as is, for the retry policy.
 */
export function asActivityFailure(error: unknown): unknown {
  return error instanceof AppError ? ApplicationFailure.nonRetryable(error.message, error.code) : error;
}

/** Applies `asActivityFailure` to every activity of a worker: activities call their service and nothing more. */
export const refusalsAsFailures: ActivityInterceptorsFactory = (): { inbound: ActivityInboundCallsInterceptor } => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        throw asActivityFailure(error);
      }
    },
  },
});
