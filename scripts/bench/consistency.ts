/**
 * The verdict on the data the run left behind. `scripts/check.ts` (the
 * project's invariant checker) decides when it exists; until then a few
 * invariants that are cheap to verify in SQL, run once every saga has ended.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type pg from 'pg';
import { unpublishedRows } from './events.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CHECKER = 'scripts/check.ts';

export interface Verdict {
  source: string;
  ok: boolean;
  checks: { name: string; violations: number }[];
  output?: string;
}

const INVARIANTS: { name: string; sql: string }[] = [
  {
    name: 'every RENTED book has exactly one RENTED rental item',
    sql: `SELECT count(*) AS n FROM book.book b
           WHERE b.status = 'RENTED'
             AND (SELECT count(*) FROM rental.rental_item i WHERE i.book_no = b.book_no AND i.status = 'RENTED') <> 1`,
  },
  {
    name: 'every RENTED rental item names a RENTED book',
    sql: `SELECT count(*) AS n FROM rental.rental_item i JOIN book.book b USING (book_no) WHERE i.status = 'RENTED' AND b.status <> 'RENTED'`,
  },
  { name: 'no rental item left PENDING', sql: `SELECT count(*) AS n FROM rental.rental_item WHERE status = 'PENDING'` },
  {
    name: 'points = ledger sum = 10*rents + 10*returns - fees paid',
    sql: `SELECT count(*) AS n FROM member.profile p
            LEFT JOIN (SELECT member_id, sum(delta) AS total FROM member.point_entry GROUP BY member_id) e USING (member_id)
            LEFT JOIN (SELECT member_id,
                              10 * count(*) FILTER (WHERE status IN ('RENTED', 'RETURNED')) + 10 * count(*) FILTER (WHERE status = 'RETURNED') AS earned
                         FROM rental.rental_item GROUP BY member_id) r USING (member_id)
            LEFT JOIN (SELECT member_id, sum(amount) AS paid FROM rental.clearance GROUP BY member_id) c USING (member_id)
           WHERE p.points <> coalesce(e.total, 0) OR p.points <> coalesce(r.earned, 0) - coalesce(c.paid, 0)`,
  },
];

export async function checkConsistency(db: pg.Pool, env: Record<string, string>, graceMs: number): Promise<Verdict> {
  if (existsSync(resolve(REPO, CHECKER))) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', CHECKER], {
      cwd: REPO,
      env: { ...process.env, ...env, CHECK_GRACE_SECONDS: String(graceMs / 1000) },
      encoding: 'utf8',
    });
    return {
      source: CHECKER,
      ok: run.status === 0,
      checks: [],
      output: `${run.stdout}${run.stderr}`.trim().split('\n').slice(-20).join('\n'),
    };
  }
  const checks = await Promise.all(
    INVARIANTS.map(async ({ name, sql }) => ({ name, violations: Number((await db.query<{ n: string }>(sql)).rows[0]!.n) })),
  );
  checks.push({ name: `no outbox row unpublished after ${graceMs / 1000} s`, violations: await unpublishedRows(db, graceMs) });
  return { source: 'bench (internal SQL checks)', ok: checks.every((check) => check.violations === 0), checks };
}
