/**
 * Invariant rules of the life cycles: fee settlements and book withdrawals.
 * Kept apart from scripts/check.ts's rules, which register them.
 */
import type { Violation } from './check.ts';

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export const LIFE_CYCLE_RULES: Record<string, (query: Query, graceSeconds: number) => Promise<Violation[]>> = {
  /**
   * Late fees paid with points (clear-overdue) and settled by an admin each have their
   * ledger entry: per member, the points of clearances plus the points of settlements
   * equal the debits of those ledger entries; every settlement has exactly one live
   * ledger entry with its reason and one fee-settled event, and no live settlement
   * entry lacks its settlement.
   */
  async 'settlements in the ledger'(query) {
    const violations: Violation[] = [];
    const add = (subject: string, detail: string, memberId: string) =>
      violations.push({ rule: 'settlements in the ledger', subject, detail, memberId });
    for (const row of await query(`
      WITH paid AS (
             SELECT member_id, sum(amount)::int AS points FROM rental.clearance GROUP BY 1
             UNION ALL SELECT member_id, sum(points_paid)::int FROM rental.fee_settlement GROUP BY 1),
           paid_total AS (SELECT member_id, sum(points)::int AS points FROM paid GROUP BY 1),
           debited AS (
             SELECT member_id, (-sum(delta))::int AS points FROM member.point_entry
             WHERE key LIKE 'clear-overdue-%:deductPoints' OR key LIKE 'settle-fee-%:recordFeeSettlement' GROUP BY 1)
      SELECT coalesce(p.member_id, d.member_id) AS member_id, coalesce(p.points, 0) AS paid, coalesce(d.points, 0) AS debited
      FROM paid_total p FULL JOIN debited d ON d.member_id = p.member_id
      WHERE coalesce(p.points, 0) <> coalesce(d.points, 0)`)) {
      add(`member ${row.member_id}`, `fees paid with points ${row.paid}, ledger debits ${row.debited}`, row.member_id as string);
    }
    for (const row of await query(`
      SELECT s.settlement_id, s.member_id, s.points_paid, s.amount, s.reason,
             (SELECT count(*) FROM member.point_entry e
               WHERE e.key = 'settle-fee-' || s.settlement_id || ':recordFeeSettlement'
                 AND e.delta = -s.points_paid AND e.reason NOT LIKE 'reversed%' AND strpos(e.reason, s.reason) > 0)::int AS entries,
             (SELECT count(*) FROM rental.outbox o
               WHERE o.topic = 'rental.fee-settled.v1' AND o.envelope->'payload'->>'settlementId' = s.settlement_id::text
                 AND (o.envelope->'payload'->>'amount')::int = s.amount AND (o.envelope->'payload'->>'pointsPaid')::int = s.points_paid)::int AS events
      FROM rental.fee_settlement s`)) {
      if (row.entries !== 1 || row.events !== 1) {
        add(
          `settlement ${row.settlement_id}`,
          `${row.entries} matching ledger entr(ies), ${row.events} fee-settled event(s); expected one of each`,
          row.member_id as string,
        );
      }
    }
    for (const row of await query(`
      SELECT e.key, e.member_id FROM member.point_entry e
      WHERE e.key LIKE 'settle-fee-%:recordFeeSettlement' AND e.reason NOT LIKE 'reversed%'
        AND NOT EXISTS (SELECT 1 FROM rental.fee_settlement s WHERE e.key = 'settle-fee-' || s.settlement_id || ':recordFeeSettlement')`)) {
      add(`ledger ${row.key}`, 'a settlement in the ledger that the rental card never recorded', row.member_id as string);
    }
    return violations;
  },

  /**
   * A withdrawn book is never rented again: it holds no open or pending loan, no
   * loan starts after its withdrawal, and rental's copy of the catalog knows it is
   * withdrawn once the event is published.
   */
  async 'withdrawn books stay withdrawn'(query) {
    const rows = await query(`
      WITH withdrawn AS (
        SELECT (envelope->'payload'->>'bookNo')::int AS book_no, min((envelope->>'occurredAt')::timestamptz) AS at,
               bool_and(published_at IS NOT NULL) AS published
        FROM book.outbox WHERE topic = 'book.book-changed.v2' AND envelope->'payload'->>'change' = 'WITHDRAWN' GROUP BY 1)
      SELECT b.book_no, b.status, w.at, w.published, t.withdrawn AS cached,
             (SELECT count(*) FROM rental.rental_item i WHERE i.book_no = b.book_no AND (i.status IN ('PENDING', 'RENTED') OR i.rented_at > w.at))::int AS loans
      FROM book.book b LEFT JOIN withdrawn w ON w.book_no = b.book_no LEFT JOIN rental.book_title t ON t.book_no = b.book_no
      WHERE b.status = 'WITHDRAWN' OR w.book_no IS NOT NULL`);
    return rows.flatMap((row) => {
      const problems = [
        ...(row.status !== 'WITHDRAWN' ? [`status ${row.status} after a WITHDRAWN event`] : []),
        ...(row.at === null ? ['withdrawn without a WITHDRAWN event'] : []),
        ...((row.loans as number) > 0 ? [`${row.loans} loan(s) open or begun after the withdrawal`] : []),
        ...(row.published && row.cached !== true ? ["rental's catalog copy does not know it is withdrawn"] : []),
      ];
      return problems.length
        ? [
            {
              rule: 'withdrawn books stay withdrawn',
              subject: `book ${row.book_no}`,
              bookNo: row.book_no as number,
              detail: problems.join('; '),
            },
          ]
        : [];
    });
  },
};
