import type { AuthActivities } from '../activities/auth.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { TASK_QUEUES, type ErasureInput } from './contracts.ts';
import { Saga } from './saga.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);
const auth = serviceActivities<AuthActivities>(TASK_QUEUES.auth);

export const ERASURE_STEPS = ['checkErasable', 'eraseProfile', 'eraseCredentials'] as const;

/**
 * Erasure: refused while the member holds books (rental); then, past that
 * pivot, the profile is anonymised and member-erased tells every read model
 * to forget the member (member), and the credentials are deleted (auth).
 * Nothing to undo: erasing is meant to be final, so the later steps only retry.
 */
export async function erasureWorkflow(input: ErasureInput) {
  const { memberId } = input;
  const saga = new Saga<{ memberId: string }>(ERASURE_STEPS, 'erase member');
  return saga.run(async () => {
    await saga.step('checkErasable', { run: () => rental.step.checkErasable({ memberId }) });
    await saga.step('eraseProfile', { run: () => member.final.eraseProfile({ memberId }) });
    await saga.step('eraseCredentials', { run: () => auth.final.eraseCredentials({ memberId }) });
    return { memberId };
  });
}
