import { describe, expect, it } from 'vitest';
import { renderNotice } from './messages.ts';

const base = { bookNo: 7, dueAt: new Date('2026-12-01T10:30:00Z'), lateFee: null, amount: null };

describe('notice mails', () => {
  it('name the book and the due date, and carry no address', () => {
    expect(renderNotice({ ...base, kind: 'DUE_SOON' })).toEqual({
      subject: 'Reminder: book 7 is due soon',
      text: 'Book 7 is due back by 2026-12-01 10:30 UTC. Returning it late costs 10 points per day.',
    });
    expect(renderNotice({ ...base, kind: 'OVERDUE' }).subject).toBe('Overdue: book 7 was due 2026-12-01 10:30 UTC');
    for (const kind of ['WELCOME', 'RENTED', 'DUE_SOON', 'OVERDUE', 'RETURNED', 'OVERDUE_CLEARED'] as const) {
      expect(JSON.stringify(renderNotice({ ...base, kind }))).not.toContain('@');
    }
  });

  it('a return says whether it was late, with the fee', () => {
    expect(renderNotice({ ...base, kind: 'RETURNED', lateFee: 30 }).text).toBe('Book 7 is back. It was late: the late fee is 30 points.');
    expect(renderNotice({ ...base, kind: 'RETURNED', lateFee: 0 }).text).toBe('Book 7 is back, on time.');
  });

  it('a cleared overdue names the amount paid', () => {
    expect(renderNotice({ ...base, kind: 'OVERDUE_CLEARED', amount: 20 }).text).toContain('late fee of 20 points');
  });
});
