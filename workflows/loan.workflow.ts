import { condition, patched, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { workflowNow } from './clock.ts';
import { SEARCH, TASK_QUEUES, bookReturnedSignal, loanLabel, summaryLine, type LoanInput } from '../services/contracts/temporal.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);

/** Loans started before the due-soon reminder existed replay without it (their histories have no marker). */
export const DUE_SOON_REMINDER_PATCH = 'due-soon-reminder';

/**
 * One loan's durable timer. At the reminder time (REMINDER_BEFORE_DUE_SECONDS
 * before the due date) a book still out gets its due-soon reminder (rental
 * publishes item-due-soon, which notifications mails). If the book is not back
 * by its due date, the card is suspended (markOverdue) and the loan waits for
 * the return. The late fee is computed from the dates when the book comes back,
 * so no daily timer is needed.
 */
export async function loanWorkflow(input: LoanInput): Promise<{ overdue: boolean }> {
  let returned = false;
  // The Temporal UI's current details (no command): a loan, not a saga, and where it stands.
  const details = (status: string) => setCurrentDetails(summaryLine(loanLabel(input), status));
  details('RUNNING');
  setHandler(bookReturnedSignal, () => {
    returned = true;
  });
  if (patched(DUE_SOON_REMINDER_PATCH) && input.remindAt) {
    const untilReminder = Math.max(0, Date.parse(input.remindAt) - workflowNow());
    if (await condition(() => returned, untilReminder)) return finish(input, false, details);
    await rental.final.remindDueSoon({ rentalId: input.rentalId });
  }
  const untilDue = Math.max(0, Date.parse(input.dueAt) - workflowNow());
  if (await condition(() => returned, untilDue)) return finish(input, false, details);
  // markOverdue checks the item itself: a return that raced the timer wins.
  const { overdue } = await rental.final.markOverdue({ rentalId: input.rentalId });
  if (overdue) {
    setLoanStatus(input, 'OVERDUE');
    details('OVERDUE');
    await condition(() => returned);
  }
  return finish(input, overdue, details);
}

/** One upsert as before; the summary column rides along (no new command, so histories replay unchanged). */
function setLoanStatus(input: LoanInput, status: string): void {
  upsertSearchAttributes([
    { key: SEARCH.sagaStatus, value: status },
    { key: SEARCH.sagaSummary, value: summaryLine(loanLabel(input), status) },
  ]);
}

function finish(input: LoanInput, overdue: boolean, details: (status: string) => void): { overdue: boolean } {
  const status = overdue ? 'RETURNED_LATE' : 'RETURNED';
  setLoanStatus(input, status);
  details(status);
  return { overdue };
}
