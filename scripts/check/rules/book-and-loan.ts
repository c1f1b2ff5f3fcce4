import type { Rule } from '../types.ts';

/** A RENTED book has exactly one open loan, held by the rental it names; an open loan's book is RENTED to it. */
export const bookAndLoanAgree: Rule = {
  name: 'book and loan agree',
  async check({ query, graceSeconds }) {
    // A rent still in flight (a PENDING item younger than the grace period) may hold its book without a loan yet.
    const rows = await query(
      `SELECT b.book_no, b.status, b.rental_id,
              (SELECT count(*) FROM rental.rental_item i WHERE i.book_no = b.book_no AND i.status = 'RENTED')::int AS open_loans,
              (SELECT count(*) FROM rental.rental_item i WHERE i.book_no = b.book_no AND i.status = 'RENTED' AND i.rental_id = b.rental_id)::int AS matching
       FROM book.book b
       WHERE NOT EXISTS (SELECT 1 FROM rental.rental_item p WHERE p.book_no = b.book_no AND p.status = 'PENDING' AND p.rented_at >= now() - make_interval(secs => $1))`,
      [graceSeconds],
    );
    return rows
      .filter((row) => (row.status === 'RENTED' ? row.open_loans !== 1 || row.matching !== 1 : row.open_loans !== 0))
      .map((row) => ({
        rule: this.name,
        subject: `book ${row.book_no}`,
        bookNo: row.book_no as number,
        detail: `status ${row.status}, ${row.open_loans} open loan(s), ${row.matching} held by ${row.rental_id}`,
      }));
  },
};
