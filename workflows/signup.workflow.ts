import type { AuthActivities } from '../activities/auth.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { TASK_QUEUES, type SignupInput, type SignupResult } from './contracts.ts';
import { Saga } from './saga.ts';

const auth = serviceActivities<AuthActivities>(TASK_QUEUES.auth);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);
const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);

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
  const saga = new Saga<SignupResult>(SIGNUP_STEPS, 'signup');
  return saga.run(async () => {
    await saga.step('createCredentials', {
      compensate: () => auth.undo.deleteCredentials({ signupId }),
      run: () => auth.step.createCredentials({ signupId, memberId, role: input.role }),
    });
    await saga.step('createProfile', {
      compensate: () => member.undo.deleteProfile({ signupId }),
      run: () => member.step.createProfile(input),
    });
    await saga.step('openRentalCard', {
      compensate: () => rental.undo.closeRentalCard({ memberId }),
      run: () => rental.step.openRentalCard({ memberId }),
    });
    // Pivot: from here on nothing refuses; these steps only make the member visible.
    await saga.step('activateProfile', { run: () => member.final.activateProfile({ signupId }) });
    await saga.step('activateCredentials', { run: () => auth.final.activateCredentials({ signupId }) });
    return { memberId };
  });
}
