import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import type { BookActivities } from '../activities/book.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import {
  POINTS,
  SEARCH,
  TASK_QUEUES,
  loanLabel,
  loanWorkflowId,
  summaryLine,
  type RentInput,
  type RentResult,
} from '../services/contracts/temporal.ts';
import { loanWorkflow } from './loan.workflow.ts';
import { Saga } from './saga.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);
const book = serviceActivities<BookActivities>(TASK_QUEUES.book);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);

export const RENT_STEPS = ['addRentalItem', 'markBookRented', 'awardPoints', 'confirmRental', 'startLoanTimer'] as const;

/**
 * Rent: the card accepts the item (rental) -> the book becomes RENTED (book)
 * -> the member earns 10 points (member); each undone in reverse when a later
 * one refuses. Then the pivot: the loan is confirmed (item-rented is published)
 * and its overdue timer starts as a workflow of its own.
 */
export async function rentWorkflow(input: RentInput) {
  const { rentalId, memberId, bookNo } = input;
  const pointsKey = `${workflowInfo().workflowId}:awardPoints`;
  const saga = new Saga(RENT_STEPS, `rent book ${bookNo}`);
  return saga.run(async (): Promise<RentResult> => {
    const accepted = await saga.step('addRentalItem', {
      compensate: () => rental.undo.cancelRentalItem({ rentalId }),
      run: () => rental.step.addRentalItem(input),
    });
    const { title } = await saga.step('markBookRented', {
      compensate: () => book.undo.markBookAvailable({ bookNo, rentalId }),
      run: () => book.step.markBookRented({ bookNo, rentalId }),
    });
    await saga.step('awardPoints', {
      compensate: () => member.undo.reversePoints({ key: pointsKey, memberId }),
      run: () => member.step.awardPoints({ key: pointsKey, memberId, points: POINTS.rent, reason: `rent of book ${bookNo}` }),
    });
    // Pivot: nothing below refuses; the loan exists from here on.
    await saga.step('confirmRental', { run: () => rental.final.confirmRentalItem({ rentalId, title }) });
    await saga.step('startLoanTimer', {
      run: () =>
        startChild(loanWorkflow, {
          workflowId: loanWorkflowId(rentalId),
          args: [{ rentalId, memberId, bookNo, dueAt: accepted.dueAt, ...(accepted.remindAt ? { remindAt: accepted.remindAt } : {}) }],
          // The loan outlives the rent saga: it ends when the book comes back.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          // Told apart from the sagas in the Temporal UI (its page, and the list's SagaSummary column).
          staticSummary: loanLabel({ bookNo, dueAt: accepted.dueAt }),
          typedSearchAttributes: [
            { key: SEARCH.sagaSummary, value: summaryLine(loanLabel({ bookNo, dueAt: accepted.dueAt }), 'RUNNING') },
            { key: SEARCH.sagaType, value: 'loan' },
            { key: SEARCH.memberId, value: memberId },
            { key: SEARCH.bookNo, value: String(bookNo) },
            { key: SEARCH.sagaStatus, value: 'RUNNING' },
          ],
        }),
    });
    return { rentalId, bookNo, dueAt: accepted.dueAt };
  });
}
