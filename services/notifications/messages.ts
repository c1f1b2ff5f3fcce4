/** What each notice says: pure, no address (auth adds it when the mail goes out). */
import type { NoticeKind } from './db/notices.ts';

export interface NoticeContent {
  kind: NoticeKind;
  bookNo: number | null;
  dueAt: Date | null;
  lateFee: number | null;
  amount: number | null;
}

const day = (date: Date | null): string => (date ? `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC` : 'soon');

export function renderNotice(notice: NoticeContent): { subject: string; text: string } {
  const book = `book ${notice.bookNo ?? '?'}`;
  switch (notice.kind) {
    case 'WELCOME':
      return {
        subject: 'Welcome to Book Rental',
        text: 'Your account is ready. Rent up to 5 books at a time; each rent and return earns 10 points.',
      };
    case 'RENTED':
      return { subject: `You rented ${book}`, text: `You rented ${book}. Please bring it back by ${day(notice.dueAt)}.` };
    case 'DUE_SOON':
      return {
        subject: `Reminder: ${book} is due soon`,
        text: `${capitalise(book)} is due back by ${day(notice.dueAt)}. Returning it late costs 10 points per day.`,
      };
    case 'OVERDUE':
      return {
        subject: `Overdue: ${book} was due ${day(notice.dueAt)}`,
        text: `${capitalise(book)} was due back by ${day(notice.dueAt)}. Your rental card is suspended until it is back and the late fee is paid.`,
      };
    case 'RETURNED':
      return {
        subject: `Thank you for returning ${book}`,
        text: notice.lateFee
          ? `${capitalise(book)} is back. It was late: the late fee is ${notice.lateFee} points.`
          : `${capitalise(book)} is back, on time.`,
      };
    case 'OVERDUE_CLEARED':
      return {
        subject: 'Your rental card is active again',
        text: `The late fee of ${notice.amount ?? 0} points is paid and your rental card is active again.`,
      };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
