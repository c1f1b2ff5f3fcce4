import { ApplicationFailure, condition, defineSignal, patched, setHandler } from '@temporalio/workflow';
import type { AuthActivities } from '../activities/auth.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { ADDRESS_CONFIRMED_SIGNAL, TASK_QUEUES, type SignupInput, type SignupResult } from '../services/contracts/temporal.ts';
import { Saga } from './saga.ts';

const auth = serviceActivities<AuthActivities>(TASK_QUEUES.auth);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);
const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);

export const SIGNUP_STEPS = ['createCredentials', 'createProfile', 'openRentalCard', 'activateProfile', 'activateCredentials'] as const;

/** Sent by the confirmation link's route once the token checked out; it carries nothing (never the token). */
export const addressConfirmedSignal = defineSignal(ADDRESS_CONFIRMED_SIGNAL);
/** Signups started before address confirmation existed replay the old way. */
export const ADDRESS_CONFIRMATION_PATCH = 'signup-address-confirmation';
export const CONFIRMED_SIGNUP_STEPS = ['confirmAddress', ...SIGNUP_STEPS] as const;
const DEFAULT_VERIFICATION_SECONDS = 24 * 3600;

/**
 * Signup: the address is confirmed first (auth mails a link, or, for an
 * address with an account already, a mail saying so; the saga cannot tell and
 * looks the same either way), then credentials (auth) -> profile (member) ->
 * rental card (rental). A link not followed within the verification time undoes
 * the signup (VERIFICATION_EXPIRED), which removes the staged contact data.
 */
export async function signupWorkflow(input: SignupInput) {
  if (!patched(ADDRESS_CONFIRMATION_PATCH)) return signupWithoutConfirmation(input);
  let confirmed = false;
  setHandler(addressConfirmedSignal, () => {
    confirmed = true;
  });
  const { signupId } = input;
  const expiresInSeconds = input.verificationSeconds ?? DEFAULT_VERIFICATION_SECONDS;
  const saga = new Saga(CONFIRMED_SIGNUP_STEPS, 'signup');
  return saga.run(async (): Promise<SignupResult> => {
    await saga.step('confirmAddress', {
      // Removes the staged application (contact data, password hash) when the signup is undone.
      compensate: () => auth.undo.deleteCredentials({ signupId }),
      run: async () => {
        await auth.step.requestConfirmation({ signupId, expiresInSeconds });
        if (!(await condition(() => confirmed, expiresInSeconds * 1000))) {
          throw ApplicationFailure.nonRetryable('the address was not confirmed in time', 'VERIFICATION_EXPIRED');
        }
      },
    });
    return signupSteps(saga, input);
  });
}

/**
 * Signup: credentials (auth) -> profile (member) -> rental card (rental).
 * The first three steps may refuse and are undone in reverse; the last two
 * only switch the new member on (and publish its events) and cannot refuse,
 * so they run after the pivot and are retried until they succeed.
 */
async function signupWithoutConfirmation(input: SignupInput) {
  const saga = new Saga(SIGNUP_STEPS, 'signup');
  return saga.run(() => signupSteps(saga, input));
}

async function signupSteps(saga: Saga<(typeof SIGNUP_STEPS)[number]>, input: SignupInput): Promise<SignupResult> {
  const { signupId, memberId } = input;
  await saga.step('createCredentials', {
    compensate: () => auth.undo.deleteCredentials({ signupId }),
    run: () => auth.step.createCredentials({ signupId, memberId, role: input.role }),
  });
  await saga.step('createProfile', {
    compensate: () => member.undo.deleteProfile({ signupId }),
    // The profile choices only (not the whole input: it also says how long the confirmation waits).
    run: () =>
      member.step.createProfile({ signupId, memberId, role: input.role, nickname: input.nickname, favoriteStyles: input.favoriteStyles }),
  });
  await saga.step('openRentalCard', {
    compensate: () => rental.undo.closeRentalCard({ memberId }),
    run: () => rental.step.openRentalCard({ memberId }),
  });
  // Pivot: from here on nothing refuses; these steps only make the member visible.
  await saga.step('activateProfile', { run: () => member.final.activateProfile({ signupId }) });
  await saga.step('activateCredentials', { run: () => auth.final.activateCredentials({ signupId }) });
  return { memberId };
}
