import type { Rule, Violation } from '../types.ts';

/**
 * Erasure leaves no personal data: for an erased member (profile erased_at
 * set), no credentials (email, name, phone, birth date, hash), no signup
 * application, no nickname, no styles, an inactive profile, no history rows
 * and no partner summary, once the grace period after the erasure has passed.
 */
export const erasureComplete: Rule = {
  name: 'erased members leave no personal data',
  async check({ query, graceSeconds }) {
    const rows = await query(
      `WITH erased AS (
         SELECT p.member_id, p.signup_id, p.active, p.nickname IS NOT NULL AS nickname, cardinality(p.favorite_styles) AS styles, p.erased_at
         FROM member.profile p WHERE p.erased_at IS NOT NULL)
       SELECT e.member_id, e.active, e.nickname, e.styles,
              EXISTS (SELECT 1 FROM auth.credential c WHERE c.member_id = e.member_id) AS credentials,
              EXISTS (SELECT 1 FROM auth.signup_application a WHERE a.signup_id = e.signup_id) AS application,
              (SELECT count(*) FROM member.rental_history h WHERE h.member_id = e.member_id)::int AS history_rows,
              EXISTS (SELECT 1 FROM partner.partner_summary s WHERE s.member_id = e.member_id) AS partner_row
       FROM erased e
       WHERE e.erased_at < now() - make_interval(secs => $1)`,
      [graceSeconds],
    );
    const violations: Violation[] = [];
    for (const row of rows) {
      const left = [
        row.credentials && 'credentials (email, name, phone, birth date, password hash)',
        row.application && 'signup application',
        row.nickname && 'a nickname',
        (row.styles as number) > 0 && 'favourite styles',
        row.active && 'an active profile',
        (row.history_rows as number) > 0 && `${row.history_rows} history row(s)`,
        row.partner_row && 'a partner summary',
      ].filter(Boolean);
      if (left.length > 0)
        violations.push({
          rule: this.name,
          subject: `member ${row.member_id}`,
          memberId: row.member_id as string,
          detail: `erased, yet still has ${left.join(', ')}`,
        });
    }
    return violations;
  },
};
