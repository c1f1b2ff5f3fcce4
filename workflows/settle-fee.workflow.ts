import { workflowInfo } from '@temporalio/workflow';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { TASK_QUEUES, type SettleFeeInput, type SettleFeeResult } from '../services/contracts/temporal.ts';
import { Saga } from './saga.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);

export const SETTLE_FEE_STEPS = ['assessFeeToSettle', 'recordFeeSettlement', 'settleFee'] as const;

/**
 * Settle a late fee (admin): how much is owed, refused when nothing is or when the
 * points offered exceed it (rental) -> the points are debited and the settlement
 * and its reason written to the points ledger (member; refused when the points are
 * short) -> the fee is cleared, the card AVAILABLE unless an overdue book is still
 * out, and fee-settled published (rental; refused when the fee was paid meanwhile).
 * Undo: the ledger entry is reversed and the points refunded.
 */
export async function settleFeeWorkflow(input: SettleFeeInput) {
  const { settlementId, memberId, points, reason } = input;
  const ledgerKey = `${workflowInfo().workflowId}:recordFeeSettlement`;
  const saga = new Saga(SETTLE_FEE_STEPS, 'settle fee');
  return saga.run(async (): Promise<SettleFeeResult> => {
    const { amount } = await saga.step('assessFeeToSettle', { run: () => rental.step.assessFeeToSettle({ memberId, points }) });
    await saga.step('recordFeeSettlement', {
      compensate: () => member.undo.reverseFeeSettlement({ key: ledgerKey, memberId }),
      run: () => member.step.recordFeeSettlement({ key: ledgerKey, memberId, points, amount, reason }),
    });
    await saga.step('settleFee', { run: () => rental.step.settleFee({ settlementId, memberId, amount, pointsPaid: points, reason }) });
    return { amount, pointsPaid: points };
  });
}
