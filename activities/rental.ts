import type { Db } from '../services/platform/db.ts';
import { closeRentalCard, openRentalCard } from '../services/rental/cards.ts';
import { assessLateFee, liftSuspension } from '../services/rental/clearance.ts';
import { checkErasable, closeCardForErasure } from '../services/rental/erasure.ts';
import type { LoanRules } from '../services/rental/domain/rules.ts';
import {
  addRentalItem,
  cancelRentalItem,
  confirmRentalItem,
  markItemReturned,
  markOverdue,
  remindDueSoon,
} from '../services/rental/loans.ts';
import { assessFeeToSettle, settleFee, type Settlement } from '../services/rental/settlements.ts';

/** rental's activities, on the `rental` task queue. */
export function createRentalActivities({ db, rules }: { db: Db; rules: LoanRules }) {
  return {
    openRentalCard: (input: { memberId: string }) => openRentalCard(db, input),
    closeRentalCard: (input: { memberId: string }) => closeRentalCard(db, input),
    addRentalItem: (input: { rentalId: string; memberId: string; bookNo: number }) => addRentalItem(db, rules, input),
    cancelRentalItem: (input: { rentalId: string }) => cancelRentalItem(db, input),
    confirmRentalItem: (input: { rentalId: string; title: string }) => confirmRentalItem(db, input),
    markOverdue: (input: { rentalId: string }) => markOverdue(db, input),
    remindDueSoon: (input: { rentalId: string }) => remindDueSoon(db, input),
    markItemReturned: (input: { returnId: string; memberId: string; bookNo: number }) => markItemReturned(db, rules, input),
    assessLateFee: (input: { memberId: string }) => assessLateFee(db, input),
    /** Kept for erasures started before closeCardForErasure existed (still replaying). */
    checkErasable: (input: { memberId: string }) => checkErasable(db, input),
    closeCardForErasure: (input: { memberId: string }) => closeCardForErasure(db, input),
    assessFeeToSettle: (input: { memberId: string; points: number }) => assessFeeToSettle(db, input),
    settleFee: (input: Settlement) => settleFee(db, input),
    liftSuspension: (input: { clearanceId: string; memberId: string; amount: number }) => liftSuspension(db, input),
  };
}
export type RentalActivities = ReturnType<typeof createRentalActivities>;
