import type { Rule } from '../types.ts';

/** Best-book counts equal the item-rented events per book. */
export const bestBooksMatchEvents: Rule = {
  name: 'best books match the events',
  needs: ['complete outboxes'],
  async check({ query }) {
    const rows = await query(`
      WITH rents AS (SELECT (envelope->'payload'->>'bookNo')::int AS book_no, count(*)::int AS n FROM rental.outbox WHERE topic = 'rental.item-rented.v1' GROUP BY 1)
      SELECT coalesce(r.book_no, c.book_no) AS book_no, coalesce(r.n, 0) AS events, c.rent_count AS counted
      FROM rents r FULL JOIN bestbook.book_rent_count c ON c.book_no = r.book_no
      WHERE coalesce(r.n, 0) <> coalesce(c.rent_count, 0)`);
    return rows.map((row) => ({
      rule: this.name,
      subject: `best-book ${row.book_no}`,
      bookNo: row.book_no as number,
      detail: `${row.counted === null ? 'row missing' : `rent count ${row.counted}`}, events say ${row.events}`,
    }));
  },
};
