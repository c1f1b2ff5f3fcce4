import type { Rule } from '../types.ts';

/** Each loan's events exist exactly once: one item-rented per confirmed loan, one item-returned per return. */
export const oneEventPerChange: Rule = {
  name: 'one event per change',
  needs: ['complete outboxes'],
  async check({ query }) {
    // The outbox is counted once per loan and joined, not searched per item: it grows with every saga.
    const rows = await query(`
      WITH events AS (
        SELECT (envelope->'payload'->>'rentalId')::uuid AS rental_id,
               count(*) FILTER (WHERE topic = 'rental.item-rented.v1')::int AS rented,
               count(*) FILTER (WHERE topic = 'rental.item-returned.v1')::int AS returned
        FROM rental.outbox WHERE topic IN ('rental.item-rented.v1', 'rental.item-returned.v1') GROUP BY 1)
      SELECT i.rental_id, i.status, i.member_id, coalesce(e.rented, 0) AS rented, coalesce(e.returned, 0) AS returned
      FROM rental.rental_item i LEFT JOIN events e USING (rental_id) WHERE i.status <> 'PENDING'`);
    const orphans = await query(`
      SELECT o.envelope->'payload'->>'rentalId' AS rental_id, o.key AS member_id FROM rental.outbox o
      WHERE o.topic = 'rental.item-rented.v1'
        AND NOT EXISTS (SELECT 1 FROM rental.rental_item i WHERE i.rental_id = (o.envelope->'payload'->>'rentalId')::uuid)`);
    return [
      ...rows
        .filter((row) => row.rented !== 1 || row.returned !== (row.status === 'RETURNED' ? 1 : 0))
        .map((row) => ({
          rule: this.name,
          subject: `loan ${row.rental_id}`,
          memberId: row.member_id as string,
          detail: `${row.status} with ${row.rented} item-rented and ${row.returned} item-returned event(s)`,
        })),
      ...orphans.map((row) => ({
        rule: this.name,
        subject: `loan ${row.rental_id}`,
        memberId: row.member_id as string,
        detail: 'item-rented published for a loan that does not exist',
      })),
    ];
  },
};
