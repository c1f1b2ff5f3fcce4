import { getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import type { BookActivities } from '../activities/book.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import {
  POINTS,
  TASK_QUEUES,
  bookReturnedSignal,
  loanWorkflowId,
  type ReturnInput,
  type ReturnResult,
} from '../services/contracts/temporal.ts';
import { Saga } from './saga.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);
const book = serviceActivities<BookActivities>(TASK_QUEUES.book);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);

export const RETURN_STEPS = ['markItemReturned', 'markBookAvailable', 'awardPoints', 'stopLoanTimer'] as const;

/**
 * Return: the card marks the item returned and computes the late fee (rental;
 * the only step that can refuse, and so the pivot) -> the book is AVAILABLE
 * again (book) -> the member earns 10 points (member) -> the loan's timer stops.
 */
export async function returnWorkflow(input: ReturnInput) {
  const { memberId, bookNo } = input;
  const pointsKey = `${workflowInfo().workflowId}:awardPoints`;
  const saga = new Saga(RETURN_STEPS, `return book ${input.bookNo}`);
  return saga.run(async (): Promise<ReturnResult> => {
    const { rentalId, lateFee } = await saga.step('markItemReturned', { run: () => rental.step.markItemReturned(input) });
    await saga.step('markBookAvailable', { run: () => book.final.markBookAvailable({ bookNo, rentalId }) });
    await saga.step('awardPoints', {
      run: () => member.final.awardPoints({ key: pointsKey, memberId, points: POINTS.return, reason: `return of book ${bookNo}` }),
    });
    await saga.step('stopLoanTimer', {
      // Best effort: a loan that is already gone has nothing to stop, and its timer re-checks the item anyway.
      run: () =>
        getExternalWorkflowHandle(loanWorkflowId(rentalId))
          .signal(bookReturnedSignal)
          .catch(() => undefined),
    });
    return { rentalId, lateFee };
  });
}
