import type { Db } from '../services/platform/db.ts';
import { closeRentalCard, openRentalCard } from '../services/rental/cards.ts';
import { refusalsAsFailures } from './failures.ts';

/** rental's activities, on the `rental` task queue. */
export function createRentalActivities({ db }: { db: Db }) {
  return {
    openRentalCard: (input: { memberId: string }) => refusalsAsFailures(() => openRentalCard(db, input)),
    closeRentalCard: (input: { memberId: string }) => closeRentalCard(db, input),
  };
}
export type RentalActivities = ReturnType<typeof createRentalActivities>;
