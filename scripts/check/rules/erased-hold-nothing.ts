import type { Rule } from '../types.ts';

/**
 * An erased member holds no book and has no session: erasure closed the card under the rent lock
 * (rental.rental_card.closed_at) and deleted the sessions with the credentials; an anonymised
 * profile (member.profile.erased_at) or a closed card (rental) marks the member.
 */
export const erasedMembersHoldNothing: Rule = {
  name: 'erased members hold nothing',
  async check({ query }) {
    const rows = await query(`
      SELECT m.member_id::text AS member_id,
             (SELECT count(*) FROM rental.rental_item i WHERE i.member_id = m.member_id AND i.status IN ('PENDING', 'RENTED'))::int AS held,
             (SELECT count(*) FROM auth.session s WHERE s.member_id = m.member_id)::int AS sessions,
             (SELECT count(*) FROM auth.credential a WHERE a.member_id = m.member_id)::int AS credentials
      FROM (SELECT member_id FROM rental.rental_card WHERE closed_at IS NOT NULL
            UNION SELECT member_id FROM member.profile WHERE erased_at IS NOT NULL) m`);
    // While an erasure runs, the card is closed before the credentials go: only a member without credentials must have no session.
    return rows
      .filter((row) => (row.held as number) > 0 || ((row.credentials as number) === 0 && (row.sessions as number) > 0))
      .map((row) => ({
        rule: this.name,
        subject: `member ${row.member_id}`,
        memberId: row.member_id as string,
        detail: `${row.held} book(s) held, ${row.sessions} session(s) left`,
      }));
  },
};
