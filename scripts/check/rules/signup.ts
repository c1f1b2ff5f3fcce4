import { signupWorkflowId } from '../../../services/contracts/temporal.ts';
import type { Rule, Violation } from '../types.ts';

/**
 * Signups end whole: every ACTIVE member credential has an active profile and
 * a rental card; a PENDING credential older than the grace period belongs to a
 * signup saga still running (asked of Temporal).
 */
export const signupsComplete: Rule = {
  name: 'signups complete',
  needs: ['temporal'],
  async check({ query, graceSeconds, temporal }) {
    const violations: Violation[] = [];
    for (const row of await query(`
      SELECT c.member_id, p.member_id IS NOT NULL AS has_profile, coalesce(p.active, false) AS active, r.member_id IS NOT NULL AS has_card
      FROM auth.credential c
      LEFT JOIN member.profile p ON p.member_id = c.member_id
      LEFT JOIN rental.rental_card r ON r.member_id = c.member_id
      WHERE c.status = 'ACTIVE' AND c.role <> 'ADMIN' AND (p.member_id IS NULL OR NOT p.active OR r.member_id IS NULL)`)) {
      const missing = [
        !row.has_profile && 'no profile',
        row.has_profile && !row.active && 'profile not active',
        !row.has_card && 'no rental card',
      ].filter(Boolean);
      violations.push({
        rule: this.name,
        subject: `member ${row.member_id}`,
        memberId: row.member_id as string,
        detail: `ACTIVE credentials with ${missing.join(', ')}`,
      });
    }
    for (const row of await query(
      `SELECT member_id, signup_id, created_at FROM auth.credential WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => $1)`,
      [graceSeconds],
    )) {
      const workflowId = signupWorkflowId(row.signup_id as string);
      const status = await temporal!.workflow
        .getHandle(workflowId)
        .describe()
        .then((description) => description.status.name)
        .catch(() => 'NOT_FOUND');
      if (status !== 'RUNNING') {
        violations.push({
          rule: this.name,
          subject: `member ${row.member_id}`,
          memberId: row.member_id as string,
          detail: `PENDING credentials since ${(row.created_at as Date).toISOString()}, saga ${workflowId} ${status}`,
        });
      }
    }
    return violations;
  },
};
