/** The rental card as a member sees it: titles from rental's own copy of the catalog, fees accruing live. */
import type { Db } from '../platform/db.ts';
import { AppError } from '../platform/errors.ts';
import { cardsRepo, itemsRepo } from './db/cards.ts';
import { isOverdue, lateFee, type LoanRules } from './domain/rules.ts';
import { findTitles } from './titles.ts';

export interface CardView {
  rentStatus: 'AVAILABLE' | 'SUSPENDED';
  /** Unpaid fees of returned items plus what the overdue items still out have accrued so far. */
  lateFee: number;
  rented: { rentalId: string; bookNo: number; title: string; rentedAt: string; dueAt: string; overdue: boolean }[];
  returned: { rentalId: string; bookNo: number; title: string; rentedAt: string; returnedAt: string; lateFee: number }[];
}

export async function viewRentalCard(db: Db, rules: LoanRules, memberId: string, now = new Date()): Promise<CardView> {
  const card = await cardsRepo.find(db, memberId);
  if (!card) throw new AppError('NOT_FOUND', 'this member has no rental card');
  const items = await itemsRepo.all(db, memberId);
  const titles = await findTitles(db, [...new Set(items.map((item) => item.bookNo))]);
  const title = (bookNo: number) => titles.get(bookNo) ?? `#${bookNo}`;
  const rented = items.filter((item) => item.status === 'RENTED');
  const accruing = rented.reduce((sum, item) => sum + lateFee(item.dueAt, now, rules), 0);
  return {
    rentStatus: card.rentStatus,
    lateFee: card.lateFee + accruing,
    rented: rented.map((item) => ({
      rentalId: item.rentalId,
      bookNo: item.bookNo,
      title: title(item.bookNo),
      rentedAt: item.rentedAt.toISOString(),
      dueAt: item.dueAt.toISOString(),
      overdue: isOverdue(item, now),
    })),
    returned: items
      .filter((item) => item.status === 'RETURNED')
      .map((item) => ({
        rentalId: item.rentalId,
        bookNo: item.bookNo,
        title: title(item.bookNo),
        rentedAt: item.rentedAt.toISOString(),
        returnedAt: item.returnedAt!.toISOString(),
        lateFee: item.lateFee,
      })),
  };
}
