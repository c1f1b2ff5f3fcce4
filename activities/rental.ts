import type { Db } from '../services/platform/db.ts';
import { closeRentalCard, openRentalCard } from '../services/rental/cards.ts';
import { assessLateFee, liftSuspension } from '../services/rental/clearance.ts';
import { checkErasable } from '../services/rental/erasure.ts';
import type { LoanRules } from '../services/rental/domain/rules.ts';
import { addRentalItem, cancelRentalItem, confirmRentalItem, markItemReturned, markOverdue, remindDueSoon } from '../services/rental/loans.ts';
import { refusalsAsFailures } from './failures.ts';

/** rental's activities, on the `rental` task queue. */
export function createRentalActivities({ db, rules }: { db: Db; rules: LoanRules }) {
  return {
    openRentalCard: (input: { memberId: string }) => refusalsAsFailures(() => openRentalCard(db, input)),
    closeRentalCard: (input: { memberId: string }) => closeRentalCard(db, input),
    addRentalItem: (input: { rentalId: string; memberId: string; bookNo: number }) => refusalsAsFailures(() => addRentalItem(db, rules, input)),
    cancelRentalItem: (input: { rentalId: string }) => cancelRentalItem(db, input),
    confirmRentalItem: (input: { rentalId: string; title: string }) => confirmRentalItem(db, input),
    markOverdue: (input: { rentalId: string }) => markOverdue(db, input),
    remindDueSoon: (input: { rentalId: string }) => remindDueSoon(db, input),
    markItemReturned: (input: { returnId: string; memberId: string; bookNo: number }) =>
      refusalsAsFailures(() => markItemReturned(db, rules, input)),
    assessLateFee: (input: { memberId: string }) => refusalsAsFailures(() => assessLateFee(db, input)),
    checkErasable: (input: { memberId: string }) => refusalsAsFailures(() => checkErasable(db, input)),
    liftSuspension: (input: { clearanceId: string; memberId: string; amount: number }) => refusalsAsFailures(() => liftSuspension(db, input)),
  };
}
export type RentalActivities = ReturnType<typeof createRentalActivities>;
