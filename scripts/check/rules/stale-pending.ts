import type { Rule } from '../types.ts';

/** No rent stays PENDING past the grace period: its saga either confirmed or cancelled it by then. */
export const noStalePending: Rule = {
  name: 'no stale pending rent',
  async check({ query, graceSeconds }) {
    const rows = await query(
      `SELECT rental_id, member_id, book_no, rented_at FROM rental.rental_item
       WHERE status = 'PENDING' AND rented_at < now() - make_interval(secs => $1)`,
      [graceSeconds],
    );
    return rows.map((row) => ({
      rule: this.name,
      subject: `loan ${row.rental_id}`,
      memberId: row.member_id as string,
      bookNo: row.book_no as number,
      detail: `PENDING since ${(row.rented_at as Date).toISOString()} (grace ${graceSeconds} s)`,
    }));
  },
};
