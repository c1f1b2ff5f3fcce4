import { proxyActivities } from '@temporalio/workflow';
import type { AuthActivities } from '../activities/auth.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { COMPENSATION_OPTIONS, PIVOT_OPTIONS, STEP_OPTIONS } from './activity-options.ts';
import { TASK_QUEUES, type SignupInput, type SignupResult } from './contracts.ts';
import { Saga } from './saga.ts';

const auth = proxyActivities<AuthActivities>({ taskQueue: TASK_QUEUES.auth, ...STEP_OPTIONS });
const authUndo = proxyActivities<AuthActivities>({ taskQueue: TASK_QUEUES.auth, ...COMPENSATION_OPTIONS });
const authFinal = proxyActivities<AuthActivities>({ taskQueue: TASK_QUEUES.auth, ...PIVOT_OPTIONS });
const member = proxyActivities<MemberActivities>({ taskQueue: TASK_QUEUES.member, ...STEP_OPTIONS });
const memberUndo = proxyActivities<MemberActivities>({ taskQueue: TASK_QUEUES.member, ...COMPENSATION_OPTIONS });
const memberFinal = proxyActivities<MemberActivities>({ taskQueue: TASK_QUEUES.member, ...PIVOT_OPTIONS });
const rental = proxyActivities<RentalActivities>({ taskQueue: TASK_QUEUES.rental, ...STEP_OPTIONS });
const rentalUndo = proxyActivities<RentalActivities>({ taskQueue: TASK_QUEUES.rental, ...COMPENSATION_OPTIONS });

export const SIGNUP_STEPS = [
  'createCredentials',
  'createProfile',
  'openRentalCard',
  'activateProfile',
  'activateCredentials',
] as const;

/**
 * Signup: credentials (auth) -> profile (member) -> rental card (rental).
 * The first three steps may refuse and are undone in reverse; the last two
 * only switch the new member on (and publish its events) and cannot refuse,
 * so they run after the pivot and are retried until they succeed.
 */
export async function signupWorkflow(input: SignupInput) {
  const { signupId, memberId } = input;
  const saga = new Saga<SignupResult>(SIGNUP_STEPS);
  return saga.run(async () => {
    await saga.step('createCredentials', {
      compensate: () => authUndo.deleteCredentials({ signupId }),
      run: () => auth.createCredentials({ signupId, memberId, role: input.role }),
    });
    await saga.step('createProfile', {
      compensate: () => memberUndo.deleteProfile({ signupId }),
      run: () => member.createProfile(input),
    });
    await saga.step('openRentalCard', {
      compensate: () => rentalUndo.closeRentalCard({ memberId }),
      run: () => rental.openRentalCard({ memberId }),
    });
    // Pivot: from here on nothing refuses; these steps only make the member visible.
    await saga.step('activateProfile', { run: () => memberFinal.activateProfile({ signupId }) });
    await saga.step('activateCredentials', { run: () => authFinal.activateCredentials({ signupId }) });
    return { memberId };
  });
}
