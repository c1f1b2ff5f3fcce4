// Workflow of saga-status.e2e.test.ts: a running saga whose worker fails the step-list query, as a worker may
// while it restarts or replays.
import { condition, setHandler } from '@temporalio/workflow';
import { progressQuery } from '../../services/contracts/temporal.ts';

export async function progressFailureWorkflow(): Promise<void> {
  setHandler(progressQuery, () => {
    throw new Error('this worker cannot answer the step list');
  });
  await condition(() => false);
}
