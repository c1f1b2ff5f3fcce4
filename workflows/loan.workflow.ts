import { condition, defineSignal, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { workflowNow } from './clock.ts';
import { SEARCH, TASK_QUEUES, type LoanInput } from './contracts.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);

/** Sent by the return saga when the book is back. */
export const bookReturnedSignal = defineSignal('bookReturned');

/**
 * One loan's durable timer. If the book is not back by its due date, the card
 * is suspended (markOverdue) and the loan waits for the return. The late fee
 * is computed from the dates when the book comes back, so no daily timer is needed.
 */
export async function loanWorkflow(input: LoanInput): Promise<{ overdue: boolean }> {
  let returned = false;
  // The Temporal UI's current details (no command): a loan, not a saga, and where it stands.
  const details = (status: string) => setCurrentDetails(`loan of book ${input.bookNo} (due ${input.dueAt}) — ${status}`);
  details('RUNNING');
  setHandler(bookReturnedSignal, () => {
    returned = true;
  });
  const untilDue = Math.max(0, Date.parse(input.dueAt) - workflowNow());
  if (await condition(() => returned, untilDue)) return finish(false, details);
  // markOverdue checks the item itself: a return that raced the timer wins.
  const { overdue } = await rental.final.markOverdue({ rentalId: input.rentalId });
  if (overdue) {
    upsertSearchAttributes([{ key: SEARCH.sagaStatus, value: 'OVERDUE' }]);
    details('OVERDUE');
    await condition(() => returned);
  }
  return finish(overdue, details);
}

function finish(overdue: boolean, details: (status: string) => void): { overdue: boolean } {
  const status = overdue ? 'RETURNED_LATE' : 'RETURNED';
  upsertSearchAttributes([{ key: SEARCH.sagaStatus, value: status }]);
  details(status);
  return { overdue };
}
