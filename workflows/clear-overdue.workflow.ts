import { workflowInfo } from '@temporalio/workflow';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { TASK_QUEUES, type ClearOverdueInput, type ClearOverdueResult } from '../services/contracts/temporal.ts';
import { Saga } from './saga.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);

export const CLEAR_OVERDUE_STEPS = ['assessLateFee', 'deductPoints', 'liftSuspension'] as const;

/**
 * Clear overdue: refused while an overdue book is out (rental) -> the late
 * fee is debited from the points (member; refused when they are short) ->
 * the card is AVAILABLE again (rental). Undo: the points are refunded.
 */
export async function clearOverdueWorkflow(input: ClearOverdueInput) {
  const { clearanceId, memberId } = input;
  const pointsKey = `${workflowInfo().workflowId}:deductPoints`;
  const saga = new Saga(CLEAR_OVERDUE_STEPS, 'clear overdue');
  return saga.run(async (): Promise<ClearOverdueResult> => {
    const { amount } = await saga.step('assessLateFee', { run: () => rental.step.assessLateFee({ memberId }) });
    await saga.step('deductPoints', {
      compensate: () => member.undo.reversePoints({ key: pointsKey, memberId }),
      run: () => member.step.deductPoints({ key: pointsKey, memberId, points: amount, reason: 'late fee' }),
    });
    await saga.step('liftSuspension', { run: () => rental.step.liftSuspension({ clearanceId, memberId, amount }) });
    return { amount };
  });
}
