import type { Rule } from '../types.ts';

/** A rent undone by its saga (its tombstone in rental.cancelled_rental) holds no item: a late step added nothing. */
export const cancelledRentsStayCancelled: Rule = {
  name: 'cancelled rents stay cancelled',
  async check({ query }) {
    const rows = await query(
      `SELECT i.rental_id, i.member_id, i.status FROM rental.rental_item i JOIN rental.cancelled_rental c USING (rental_id)`,
    );
    return rows.map((row) => ({
      rule: this.name,
      subject: `loan ${row.rental_id}`,
      memberId: row.member_id as string,
      detail: `cancelled, yet an item is ${row.status}`,
    }));
  },
};
