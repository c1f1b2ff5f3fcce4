import type { Rule } from '../types.ts';

export type HistoryComparison = {
  rental_id: string;
  member_id: string;
  /** null: no item-rented event for this row. */
  returned_by_events: boolean | null;
  /** false: no history row for this loan. */
  has_row: boolean;
  returned_at: Date | null;
};

/** What is wrong with one loan's history row; a missing row is called missing (not "returned_at null"). */
export function describeHistoryMismatch(row: HistoryComparison): string {
  if (!row.has_row) return `history row missing, events say ${row.returned_by_events ? 'rented and returned' : 'rented'}`;
  if (row.returned_by_events === null)
    return `history row with no item-rented event (returned_at ${row.returned_at?.toISOString() ?? 'null'})`;
  return `history row returned_at ${row.returned_at?.toISOString() ?? 'null'}, events say returned=${row.returned_by_events}`;
}

/** Each member's history holds one row per rented loan of theirs, returned when the events say so (erased members: none). */
export const historyMatchesEvents: Rule = {
  name: 'histories match the events',
  needs: ['complete outboxes'],
  async check({ query }) {
    const rows = await query<HistoryComparison>(`
      WITH erased AS (SELECT DISTINCT envelope->'payload'->>'memberId' AS member_id FROM member.outbox WHERE topic = 'member.member-erased.v1'),
           loans AS (
        SELECT (r.envelope->'payload'->>'rentalId')::uuid AS rental_id, min(r.key) AS member_id,
               bool_or(t.topic IS NOT NULL) AS returned
        FROM rental.outbox r LEFT JOIN rental.outbox t
          ON t.topic = 'rental.item-returned.v1' AND t.envelope->'payload'->>'rentalId' = r.envelope->'payload'->>'rentalId'
        WHERE r.topic = 'rental.item-rented.v1' AND r.key NOT IN (SELECT member_id FROM erased) GROUP BY 1)
      SELECT coalesce(l.rental_id, h.rental_id)::text AS rental_id, coalesce(l.member_id, h.member_id::text) AS member_id,
             l.returned AS returned_by_events, h.rental_id IS NOT NULL AS has_row, h.returned_at
      FROM loans l FULL JOIN member.rental_history h ON h.rental_id = l.rental_id
      WHERE l.rental_id IS NULL OR h.rental_id IS NULL OR l.returned <> (h.returned_at IS NOT NULL)`);
    return rows.map((row) => ({
      rule: this.name,
      subject: `history ${row.rental_id}`,
      memberId: row.member_id,
      detail: describeHistoryMismatch(row),
    }));
  },
};
