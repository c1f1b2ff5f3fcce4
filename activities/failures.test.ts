import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { AppError } from '../services/platform/errors.ts';
import { refusalsAsFailures } from './failures.ts';

/** Runs `activity` through the interceptor as the worker does. */
function throughInterceptor(activity: () => Promise<unknown>): Promise<unknown> {
  const { inbound } = refusalsAsFailures({} as never);
  return inbound!.execute!({ args: [], headers: {} } as ActivityExecuteInput, () => activity()).catch((error: unknown) => error);
}

describe('the refusalsAsFailures interceptor', () => {
  it('turns a refusal into a non-retryable failure typed with its code, so the saga compensates at once', async () => {
    // A rent step that lands after its undo refuses this way; the saga is compensating already.
    const failure = await throughInterceptor(() => Promise.reject(new AppError('RENTAL_CANCELLED', 'undone before it landed')));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'RENTAL_CANCELLED', nonRetryable: true, message: 'undone before it landed' });
  });

  it('passes anything else through for the retry policy', async () => {
    const failure = await throughInterceptor(() => Promise.reject(new Error('connection reset')));
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ message: 'connection reset' });
  });

  it('returns what the activity returns', async () => {
    await expect(throughInterceptor(() => Promise.resolve({ memberId: 'm-1' }))).resolves.toEqual({ memberId: 'm-1' });
  });
});
