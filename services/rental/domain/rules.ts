/** The rent rules (shared/API.md), pure and unit-tested. */
import type { ErrorCode } from '../../platform/errors.ts';

export const MAX_ITEMS = 5;
export const FEE_PER_DAY = 10;

export interface LoanRules {
  loanPeriodMs: number;
  /** Length of one late-fee day (a real day in production, seconds in tests). */
  feeDayMs: number;
  /** The due-soon reminder goes out this long before the due date; unset = no reminder. */
  reminderBeforeDueMs?: number;
}

/** When the loan's reminder is due: before the due date, never before the rent. */
export function reminderDate(rentedAt: Date, dueAt: Date, rules: LoanRules): Date | undefined {
  if (rules.reminderBeforeDueMs === undefined) return undefined;
  return new Date(Math.max(rentedAt.getTime(), dueAt.getTime() - rules.reminderBeforeDueMs));
}

export function dueDate(rentedAt: Date, rules: LoanRules): Date {
  return new Date(rentedAt.getTime() + rules.loanPeriodMs);
}

/** 10 points per whole day late; durations, so month and year boundaries need no special case. */
export function lateFee(dueAt: Date, returnedAt: Date, rules: LoanRules): number {
  const late = returnedAt.getTime() - dueAt.getTime();
  return late <= 0 ? 0 : Math.floor(late / rules.feeDayMs) * FEE_PER_DAY;
}

export interface CardState {
  rentStatus: 'AVAILABLE' | 'SUSPENDED';
  /** Set when the member was erased: the card takes nothing more. */
  closedAt?: Date | null;
}

export interface OpenItem {
  bookNo: number;
  dueAt: Date;
  overdue: boolean;
}

export function isOverdue(item: OpenItem, now: Date): boolean {
  return item.overdue || item.dueAt.getTime() < now.getTime();
}

/** Why this card may not take this book, or null when it may. Open items include PENDING ones. */
export function refusalToRent(card: CardState, openItems: OpenItem[], bookNo: number): ErrorCode | null {
  if (card.closedAt) return 'CARD_CLOSED';
  if (card.rentStatus === 'SUSPENDED') return 'CARD_SUSPENDED';
  if (openItems.some((item) => item.bookNo === bookNo)) return 'ALREADY_HOLDING_BOOK';
  if (openItems.length >= MAX_ITEMS) return 'RENTAL_LIMIT_REACHED';
  return null;
}
