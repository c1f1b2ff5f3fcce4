/**
 * The bound scenarios' workflows (deterministic, bundled by the bench): one
 * activity, and the rent saga's exact shape through the project's own Saga
 * helper and activity options, with activities that do nothing.
 */
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { serviceActivities } from '../../../workflows/activity-options.ts';
import { SEARCH } from '../../../services/contracts/temporal.ts';
import { RENT_STEPS } from '../../../workflows/rent.workflow.ts';
import { Saga } from '../../../workflows/saga.ts';
import { BENCH_TASK_QUEUE, type BenchActivities } from '../activities.ts';

const bench = serviceActivities<BenchActivities>(BENCH_TASK_QUEUE);

export async function boundOneWorkflow(): Promise<void> {
  await bench.step.noop();
}

/** Like rentWorkflow: 3 steps with compensations registered, 2 past the pivot, the last one starting a child. */
export async function boundSagaWorkflow(input: { memberId: string; bookNo: number }) {
  const saga = new Saga(RENT_STEPS);
  const { workflowId } = workflowInfo();
  return saga.run(async (): Promise<{ workflowId: string }> => {
    await saga.step('addRentalItem', { compensate: () => bench.undo.undo(input), run: () => bench.step.step(input) });
    await saga.step('markBookRented', { compensate: () => bench.undo.undo(input), run: () => bench.step.step(input) });
    await saga.step('awardPoints', { compensate: () => bench.undo.undo(input), run: () => bench.step.step(input) });
    await saga.step('confirmRental', { run: () => bench.final.step(input) });
    await saga.step('startLoanTimer', {
      run: () =>
        startChild(boundChildWorkflow, {
          workflowId: `${workflowId}-child`,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: [
            { key: SEARCH.sagaType, value: 'bench-child' },
            { key: SEARCH.memberId, value: input.memberId },
            { key: SEARCH.bookNo, value: String(input.bookNo) },
            { key: SEARCH.sagaStatus, value: 'RUNNING' },
          ],
        }),
    });
    return { workflowId };
  });
}

/** Stands in for the loan workflow, which the bound saga only starts. */
export async function boundChildWorkflow(): Promise<void> {}
