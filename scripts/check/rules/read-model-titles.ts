import type { Rule } from '../types.ts';

/** rental's title cache holds the newest title the book events give. */
export const titlesMatchEvents: Rule = {
  name: 'title cache matches the events',
  needs: ['complete outboxes'],
  async check({ query }) {
    const rows = await query(`
      WITH latest AS (
        SELECT DISTINCT ON (envelope->'payload'->>'bookNo') (envelope->'payload'->>'bookNo')::int AS book_no, envelope->'payload'->>'title' AS title
        FROM book.outbox WHERE topic = 'book.book-changed.v1' ORDER BY envelope->'payload'->>'bookNo', (envelope->>'occurredAt')::timestamptz DESC, seq DESC)
      SELECT l.book_no, l.title, t.title AS cached, t.book_no IS NOT NULL AS has_row FROM latest l LEFT JOIN rental.book_title t ON t.book_no = l.book_no
      WHERE t.title IS DISTINCT FROM l.title`);
    return rows.map((row) => ({
      rule: this.name,
      subject: `title cache ${row.book_no}`,
      bookNo: row.book_no as number,
      detail: `${row.has_row ? `cached ${JSON.stringify(row.cached)}` : 'row missing'}, latest event says ${JSON.stringify(row.title)}`,
    }));
  },
};
