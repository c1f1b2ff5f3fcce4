import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AppError } from '../services/platform/errors.ts';
import { refusalsAsFailures } from './failures.ts';

describe('refusalsAsFailures', () => {
  it('turns a refusal into a non-retryable failure typed with its code, so the saga compensates at once', async () => {
    // A rent step that lands after its undo refuses this way; the saga is compensating already.
    const failure = await refusalsAsFailures(() => Promise.reject(new AppError('RENTAL_CANCELLED', 'undone before it landed'))).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'RENTAL_CANCELLED', nonRetryable: true, message: 'undone before it landed' });
  });

  it('passes anything else through for the retry policy', async () => {
    const failure = await refusalsAsFailures(() => Promise.reject(new Error('connection reset'))).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ message: 'connection reset' });
  });
});
