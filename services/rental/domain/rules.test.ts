import { describe, expect, it } from 'vitest';
import { MAX_ITEMS, dueDate, isOverdue, lateFee, refusalToRent, reminderDate } from './rules.ts';

const DAY = 24 * 3600 * 1000;
const rules = { loanPeriodMs: 14 * DAY, feeDayMs: DAY };
const at = (iso: string) => new Date(iso);

describe('rent rules', () => {
  it('lends for 14 days', () => {
    expect(dueDate(at('2026-01-25T10:00:00Z'), rules).toISOString()).toBe('2026-02-08T10:00:00.000Z');
  });

  it('charges 10 points per whole day late, across month and year boundaries', () => {
    expect(lateFee(at('2026-01-31T10:00:00Z'), at('2026-01-31T09:00:00Z'), rules)).toBe(0);
    expect(lateFee(at('2026-01-31T10:00:00Z'), at('2026-02-01T09:59:59Z'), rules)).toBe(0);
    expect(lateFee(at('2026-01-31T10:00:00Z'), at('2026-02-01T10:00:00Z'), rules)).toBe(10);
    expect(lateFee(at('2026-01-31T10:00:00Z'), at('2026-03-01T10:00:00Z'), rules)).toBe(290); // February 2026 has 28 days
    expect(lateFee(at('2026-12-30T00:00:00Z'), at('2027-01-02T12:00:00Z'), rules)).toBe(30);
  });

  it('uses the configured length of a fee day', () => {
    expect(lateFee(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:05Z'), { loanPeriodMs: 8000, feeDayMs: 2000 })).toBe(20);
  });

  it('refuses a suspended card, a book already held and a sixth book', () => {
    const item = (bookNo: number) => ({ bookNo, dueAt: at('2026-02-01T00:00:00Z'), overdue: false });
    const available = { rentStatus: 'AVAILABLE' as const };
    expect(refusalToRent({ rentStatus: 'SUSPENDED' }, [], 1)).toBe('CARD_SUSPENDED');
    expect(refusalToRent({ rentStatus: 'AVAILABLE', closedAt: at('2026-01-01T00:00:00Z') }, [], 1)).toBe('CARD_CLOSED');
    expect(refusalToRent({ rentStatus: 'AVAILABLE', closedAt: null }, [], 1)).toBeNull();
    expect(refusalToRent(available, [item(1)], 1)).toBe('ALREADY_HOLDING_BOOK');
    const five = Array.from({ length: MAX_ITEMS }, (_, index) => item(index + 10));
    expect(refusalToRent(available, five.slice(0, 4), 99)).toBeNull();
    expect(refusalToRent(available, five, 99)).toBe('RENTAL_LIMIT_REACHED');
  });

  it('calls an item overdue once its due date has passed or the timer marked it', () => {
    const item = { bookNo: 1, dueAt: at('2026-02-01T00:00:00Z'), overdue: false };
    expect(isOverdue(item, at('2026-01-31T23:59:59Z'))).toBe(false);
    expect(isOverdue(item, at('2026-02-01T00:00:01Z'))).toBe(true);
    expect(isOverdue({ ...item, overdue: true }, at('2026-01-01T00:00:00Z'))).toBe(true);
  });
});

describe('reminderDate', () => {
  it('is the configured time before the due date, never before the rent, and absent when not configured', () => {
    const rentedAt = new Date('2026-01-01T00:00:00Z');
    const dueAt = new Date(rentedAt.getTime() + 14 * DAY);
    expect(reminderDate(rentedAt, dueAt, { ...rules, reminderBeforeDueMs: 2 * DAY })).toEqual(new Date(dueAt.getTime() - 2 * DAY));
    expect(reminderDate(rentedAt, dueAt, { ...rules, reminderBeforeDueMs: 30 * DAY })).toEqual(rentedAt);
    expect(reminderDate(rentedAt, dueAt, rules)).toBeUndefined();
  });
});
