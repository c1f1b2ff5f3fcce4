import type { Db } from '../services/platform/db.ts';
import { markBookAvailable, markBookRented } from '../services/book/loans.ts';

/** book's activities, on the `book` task queue. */
export function createBookActivities({ db }: { db: Db }) {
  return {
    markBookRented: (input: { bookNo: number; rentalId: string }) => markBookRented(db, input),
    markBookAvailable: (input: { bookNo: number; rentalId: string }) => markBookAvailable(db, input),
  };
}
export type BookActivities = ReturnType<typeof createBookActivities>;
