import { patched } from '@temporalio/workflow';
import type { AuthActivities } from '../activities/auth.ts';
import type { MemberActivities } from '../activities/member.ts';
import type { RentalActivities } from '../activities/rental.ts';
import { serviceActivities } from './activity-options.ts';
import { TASK_QUEUES, type ErasureInput } from '../services/contracts/temporal.ts';
import { Saga } from './saga.ts';

const rental = serviceActivities<RentalActivities>(TASK_QUEUES.rental);
const member = serviceActivities<MemberActivities>(TASK_QUEUES.member);
const auth = serviceActivities<AuthActivities>(TASK_QUEUES.auth);

export const ERASURE_STEPS = ['closeRentalCard', 'eraseCredentials', 'eraseProfile'] as const;
/** The steps of erasures recorded before the card was closed under its lock. */
export const ERASURE_STEPS_BEFORE_CARD_CLOSING = ['checkErasable', 'eraseProfile', 'eraseCredentials'] as const;
/** patched() id: erasure closes the rental card under addRentalItem's lock, then ends the sessions with the credentials. */
export const ERASURE_CLOSES_CARD = 'erasure-closes-card';

/**
 * Erasure: the rental card is closed under the lock every rent takes, and the
 * erasure is refused while the member holds books (the pivot: a rent either
 * came first and holds a place on the card, or comes later and finds it
 * closed). Past it, the credentials and with them every session are deleted
 * (auth: the member's tokens answer 401 from then on), then the profile is
 * anonymised and member-erased tells every read model to forget the member
 * (member). Nothing to undo: erasing is meant to be final, so the later steps
 * only retry. Erasures recorded before this order replay the old one.
 */
export async function erasureWorkflow(input: ErasureInput) {
  const { memberId } = input;
  if (!patched(ERASURE_CLOSES_CARD)) {
    const legacy = new Saga(ERASURE_STEPS_BEFORE_CARD_CLOSING, 'erasure');
    return legacy.run(async (): Promise<{ memberId: string }> => {
      await legacy.step('checkErasable', { run: () => rental.step.checkErasable({ memberId }) });
      await legacy.step('eraseProfile', { run: () => member.final.eraseProfile({ memberId }) });
      await legacy.step('eraseCredentials', { run: () => auth.final.eraseCredentials({ memberId }) });
      return { memberId };
    });
  }
  const saga = new Saga(ERASURE_STEPS, 'erasure');
  return saga.run(async (): Promise<{ memberId: string }> => {
    await saga.step('closeRentalCard', { run: () => rental.step.closeCardForErasure({ memberId }) });
    await saga.step('eraseCredentials', { run: () => auth.final.eraseCredentials({ memberId }) });
    await saga.step('eraseProfile', { run: () => member.final.eraseProfile({ memberId }) });
    return { memberId };
  });
}
