import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { sagaTypeOf, temporalLogLevel } from './worker-observability.ts';

describe("the Temporal SDK's own log lines", () => {
  it('keep their level, but a business refusal and a worker polling one kind of task are debug', () => {
    const refusal = ApplicationFailure.create({ type: 'BOOK_NOT_AVAILABLE', nonRetryable: true });
    const crash = ApplicationFailure.create({ type: 'ECONNRESET', nonRetryable: false });
    expect(temporalLogLevel('WARN', 'Activity failed', { error: refusal })).toBe('DEBUG');
    expect(temporalLogLevel('WARN', 'Activity failed', { error: crash })).toBe('WARN');
    expect(temporalLogLevel('WARN', 'Activity failed', { error: new Error('boom') })).toBe('WARN');
    expect(temporalLogLevel('WARN', 'No activities registered, not polling for activity tasks')).toBe('DEBUG');
    expect(temporalLogLevel('WARN', 'No workflows registered, not polling for workflow tasks')).toBe('DEBUG');
    expect(temporalLogLevel('ERROR', 'Worker failed')).toBe('ERROR');
  });

  it('name sagas by workflow type', () => {
    expect(sagaTypeOf('clearOverdueWorkflow')).toBe('clear-overdue');
  });
});
