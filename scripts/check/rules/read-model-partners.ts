import type { Rule, Violation } from '../types.ts';

/** Partner counters equal the member's rent and return events, visible for partners only; erased members have no row. */
export const partnersMatchEvents: Rule = {
  name: 'partner summaries match the events',
  needs: ['complete outboxes'],
  async check({ query }) {
    const violations: Violation[] = [];
    // Partner counters: every renting member has a row counting their events, visible (registered_at set)
    // only for a partner; an erased member has no row at all.
    for (const row of await query(`
      WITH registered AS (SELECT DISTINCT envelope->'payload'->>'memberId' AS member_id FROM member.outbox WHERE topic = 'member.partner-registered.v1'),
           erased AS (SELECT DISTINCT envelope->'payload'->>'memberId' AS member_id FROM member.outbox WHERE topic = 'member.member-erased.v1'),
           counted AS (
             SELECT envelope->'payload'->>'memberId' AS member_id,
                    count(*) FILTER (WHERE topic = 'rental.item-rented.v1')::int AS rents,
                    count(*) FILTER (WHERE topic = 'rental.item-returned.v1')::int AS returns
             FROM rental.outbox WHERE topic IN ('rental.item-rented.v1', 'rental.item-returned.v1') GROUP BY 1),
           expected AS (
             SELECT m.member_id, r.member_id IS NOT NULL AS partner, coalesce(c.rents, 0) AS rents, coalesce(c.returns, 0) AS returns
             FROM (SELECT member_id FROM registered UNION SELECT member_id FROM counted) m
             LEFT JOIN registered r USING (member_id) LEFT JOIN counted c USING (member_id)
             WHERE m.member_id NOT IN (SELECT member_id FROM erased))
      SELECT coalesce(e.member_id, s.member_id::text) AS member_id, e.partner, e.rents, e.returns,
             s.member_id IS NOT NULL AS has_row, s.registered_at IS NOT NULL AS visible, s.rent_count, s.return_count
      FROM expected e FULL JOIN partner.partner_summary s ON s.member_id::text = e.member_id
      WHERE e.member_id IS NULL OR s.member_id IS NULL
         OR e.partner <> (s.registered_at IS NOT NULL) OR e.rents <> s.rent_count OR e.returns <> s.return_count`)) {
      const held = row.has_row
        ? `${row.visible ? 'partner' : 'non-partner'} row with ${row.rent_count} rents, ${row.return_count} returns`
        : 'no row';
      const implied =
        row.partner === null
          ? 'no row (erased, or no events)'
          : `${row.partner ? 'partner' : 'non-partner'} with ${row.rents} rents, ${row.returns} returns`;
      violations.push({
        rule: this.name,
        subject: `partner summary ${row.member_id}`,
        detail: `${held}, events say ${implied}`,
        memberId: row.member_id as string,
      });
    }
    return violations;
  },
};
