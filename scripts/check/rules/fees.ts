import type { Rule } from '../types.ts';

/**
 * Fees paid equal the ledger's deductions: each clearance has its deduction
 * (`clear-overdue-<id>:deductPoints`, minus the amount), and each deduction
 * older than the grace period has its clearance.
 */
export const feesMatchLedger: Rule = {
  name: 'fees paid equal ledger deductions',
  async check({ query, graceSeconds }) {
    const rows = await query(
      `WITH deductions AS (
         SELECT substring(key FROM '^clear-overdue-(.*):deductPoints$') AS clearance_id, member_id, delta, created_at
         FROM member.point_entry WHERE key LIKE 'clear-overdue-%:deductPoints' AND delta <> 0)
       SELECT coalesce(c.clearance_id::text, d.clearance_id) AS clearance_id, coalesce(c.member_id, d.member_id) AS member_id,
              c.amount, d.delta
       FROM rental.clearance c FULL JOIN deductions d ON d.clearance_id = c.clearance_id::text
       WHERE (c.clearance_id IS NULL AND d.created_at < now() - make_interval(secs => $1))
          OR (c.clearance_id IS NOT NULL AND (d.delta IS NULL OR d.delta <> -c.amount))`,
      [graceSeconds],
    );
    return rows.map((row) => ({
      rule: this.name,
      subject: `clearance ${row.clearance_id}`,
      memberId: row.member_id as string,
      detail:
        row.amount === null
          ? `${-(row.delta as number)} points deducted, no clearance recorded`
          : `fee ${row.amount} paid, ledger deduction ${row.delta === null ? 'missing' : -(row.delta as number)}`,
    }));
  },
};
