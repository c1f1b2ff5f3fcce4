import { POINTS } from '../../../services/contracts/temporal.ts';
import type { Rule } from '../types.ts';

/** points = 10 x rents + 10 x returns - late fees paid, and the ledger adds up to the balance. */
export const pointsAddUp: Rule = {
  name: 'points add up',
  async check({ query, graceSeconds }) {
    // Members with a rent in flight (PENDING, younger than the grace period) may be between two steps.
    const rows = await query(
      `SELECT p.member_id, p.points,
              (SELECT count(*) FROM rental.rental_item i WHERE i.member_id = p.member_id AND i.status IN ('RENTED', 'RETURNED'))::int AS rents,
              (SELECT count(*) FROM rental.rental_item i WHERE i.member_id = p.member_id AND i.status = 'RETURNED')::int AS returns,
              ((SELECT coalesce(sum(amount), 0) FROM rental.clearance c WHERE c.member_id = p.member_id)
               + (SELECT coalesce(sum(points_paid), 0) FROM rental.fee_settlement s WHERE s.member_id = p.member_id))::int AS fees_paid,
              (SELECT coalesce(sum(delta), 0) FROM member.point_entry e WHERE e.member_id = p.member_id)::int AS ledger
       FROM member.profile p
       WHERE p.active AND NOT EXISTS (SELECT 1 FROM rental.rental_item i WHERE i.member_id = p.member_id AND i.status = 'PENDING' AND i.rented_at >= now() - make_interval(secs => $1))`,
      [graceSeconds],
    );
    return rows.flatMap((row) => {
      const expected = POINTS.rent * (row.rents as number) + POINTS.return * (row.returns as number) - (row.fees_paid as number);
      if (row.points === expected && row.ledger === row.points) return [];
      return [
        {
          rule: this.name,
          subject: `member ${row.member_id}`,
          memberId: row.member_id as string,
          detail: `points ${row.points}, ledger ${row.ledger}, expected ${expected} (${row.rents} rents, ${row.returns} returns, ${row.fees_paid} paid)`,
        },
      ];
    });
  },
};
