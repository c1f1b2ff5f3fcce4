/**
 * The invariant checker: reads every service and reports what breaks the
 * system's promises. Run it when no saga is in flight (it skips members and
 * books with a PENDING rent):
 *   npm run check            exits 1 and lists the violations, if any
 * The events are the outboxes' rows (each service's log of what it published).
 */
import pg from 'pg';
import { isMain } from '../processes/runtime.ts';
import { OUTBOX_SCHEMAS } from '../services/platform/outbox.ts';
import { POINTS } from '../workflows/contracts.ts';
import { LIFE_CYCLE_RULES } from './check-life-cycle.ts';

export interface Violation {
  rule: string;
  subject: string;
  detail: string;
  /** What the violation is about, so a test can look at only its own members and books. */
  memberId?: string;
  bookNo?: number;
}

export interface CheckScope {
  memberIds?: string[];
  bookNos?: number[];
}

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const RULES: Record<string, (query: Query, graceSeconds: number) => Promise<Violation[]>> = {
  /** A RENTED book has exactly one open loan, held by the rental it names; an open loan's book is RENTED to it. */
  async 'book and loan agree'(query) {
    const rows = await query(`
      SELECT b.book_no, b.status, b.rental_id,
             (SELECT count(*) FROM rental.rental_item i WHERE i.book_no = b.book_no AND i.status = 'RENTED')::int AS open_loans,
             (SELECT count(*) FROM rental.rental_item i WHERE i.book_no = b.book_no AND i.status = 'RENTED' AND i.rental_id = b.rental_id)::int AS matching
      FROM book.book b
      WHERE NOT EXISTS (SELECT 1 FROM rental.rental_item p WHERE p.book_no = b.book_no AND p.status = 'PENDING')`);
    return rows
      .filter((row) => (row.status === 'RENTED' ? row.open_loans !== 1 || row.matching !== 1 : row.open_loans !== 0))
      .map((row) => ({ rule: 'book and loan agree', subject: `book ${row.book_no}`, bookNo: row.book_no as number, detail: `status ${row.status}, ${row.open_loans} open loan(s), ${row.matching} held by ${row.rental_id}` }));
  },

  /** points = 10 x rents + 10 x returns - late fees paid, and the ledger adds up to the balance. */
  async 'points add up'(query) {
    const rows = await query(`
      SELECT p.member_id, p.points,
             (SELECT count(*) FROM rental.rental_item i WHERE i.member_id = p.member_id AND i.status IN ('RENTED', 'RETURNED'))::int AS rents,
             (SELECT count(*) FROM rental.rental_item i WHERE i.member_id = p.member_id AND i.status = 'RETURNED')::int AS returns,
             ((SELECT coalesce(sum(amount), 0) FROM rental.clearance c WHERE c.member_id = p.member_id)
              + (SELECT coalesce(sum(points_paid), 0) FROM rental.fee_settlement s WHERE s.member_id = p.member_id))::int AS fees_paid,
             (SELECT coalesce(sum(delta), 0) FROM member.point_entry e WHERE e.member_id = p.member_id)::int AS ledger
      FROM member.profile p
      WHERE p.active AND NOT EXISTS (SELECT 1 FROM rental.rental_item i WHERE i.member_id = p.member_id AND i.status = 'PENDING')`);
    return rows.flatMap((row) => {
      const expected = POINTS.rent * (row.rents as number) + POINTS.return * (row.returns as number) - (row.fees_paid as number);
      if (row.points === expected && row.ledger === row.points) return [];
      return [{ rule: 'points add up', subject: `member ${row.member_id}`, memberId: row.member_id as string, detail: `points ${row.points}, ledger ${row.ledger}, expected ${expected} (${row.rents} rents, ${row.returns} returns, ${row.fees_paid} paid)` }];
    });
  },

  /** A rent undone by its saga (its tombstone in rental.cancelled_rental) holds no item: a late step added nothing. */
  async 'cancelled rents stay cancelled'(query) {
    const rows = await query(`SELECT i.rental_id, i.member_id, i.status FROM rental.rental_item i JOIN rental.cancelled_rental c USING (rental_id)`);
    return rows.map((row) => ({ rule: 'cancelled rents stay cancelled', subject: `loan ${row.rental_id}`, memberId: row.member_id as string, detail: `cancelled, yet an item is ${row.status}` }));
  },

  /** Every event reaches Kafka: no outbox row stays unpublished past the grace period. */
  async 'outbox drained'(query, graceSeconds) {
    const violations: Violation[] = [];
    for (const schema of OUTBOX_SCHEMAS) {
      const [row] = await query(`SELECT count(*)::int AS n, min(created_at) AS oldest FROM "${schema}".outbox WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1)`, [graceSeconds]);
      if (row && (row.n as number) > 0) violations.push({ rule: 'outbox drained', subject: `${schema}.outbox`, detail: `${row.n} row(s) unpublished, oldest ${(row.oldest as Date).toISOString()}` });
    }
    return violations;
  },

  /** Each loan's events exist exactly once: one item-rented per confirmed loan, one item-returned per return. */
  async 'one event per change'(query) {
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
        .map((row) => ({ rule: 'one event per change', subject: `loan ${row.rental_id}`, memberId: row.member_id as string, detail: `${row.status} with ${row.rented} item-rented and ${row.returned} item-returned event(s)` })),
      ...orphans.map((row) => ({ rule: 'one event per change', subject: `loan ${row.rental_id}`, memberId: row.member_id as string, detail: 'item-rented published for a loan that does not exist' })),
    ];
  },

  /** Read models equal what the published events imply. */
  async 'read models match the events'(query) {
    const violations: Violation[] = [];
    const add = (subject: string, detail: string, about: { memberId?: string; bookNo?: number }) =>
      violations.push({ rule: 'read models match the events', subject, detail, ...about });
    for (const row of await query(`
      WITH rents AS (SELECT (envelope->'payload'->>'bookNo')::int AS book_no, count(*)::int AS n FROM rental.outbox WHERE topic = 'rental.item-rented.v1' GROUP BY 1)
      SELECT coalesce(r.book_no, c.book_no) AS book_no, coalesce(r.n, 0) AS events, coalesce(c.rent_count, 0) AS counted
      FROM rents r FULL JOIN bestbook.book_rent_count c ON c.book_no = r.book_no
      WHERE coalesce(r.n, 0) <> coalesce(c.rent_count, 0)`)) {
      add(`best-book ${row.book_no}`, `rent count ${row.counted}, events say ${row.events}`, { bookNo: row.book_no as number });
    }
    for (const row of await query(`
      WITH loans AS (
        SELECT (r.envelope->'payload'->>'rentalId')::uuid AS rental_id, min(r.key) AS member_id,
               bool_or(t.topic IS NOT NULL) AS returned
        FROM rental.outbox r LEFT JOIN rental.outbox t
          ON t.topic = 'rental.item-returned.v1' AND t.envelope->'payload'->>'rentalId' = r.envelope->'payload'->>'rentalId'
        WHERE r.topic = 'rental.item-rented.v1' GROUP BY 1)
      SELECT coalesce(l.rental_id, h.rental_id) AS rental_id, coalesce(l.member_id, h.member_id::text) AS member_id, l.returned, h.returned_at
      FROM loans l FULL JOIN member.rental_history h ON h.rental_id = l.rental_id
      WHERE l.rental_id IS NULL OR h.rental_id IS NULL OR l.returned <> (h.returned_at IS NOT NULL)`)) {
      const history = row.returned_at === undefined ? 'missing' : `returned_at ${row.returned_at}`;
      add(`history ${row.rental_id}`, `history row ${history}, events say returned=${row.returned}`, { memberId: row.member_id as string });
    }
    for (const row of await query(`
      WITH latest AS (
        SELECT DISTINCT ON (envelope->'payload'->>'bookNo') (envelope->'payload'->>'bookNo')::int AS book_no, envelope->'payload'->>'title' AS title
        FROM book.outbox WHERE topic = 'book.book-changed.v1' ORDER BY envelope->'payload'->>'bookNo', (envelope->>'occurredAt')::timestamptz DESC, seq DESC)
      SELECT l.book_no, l.title, t.title AS cached FROM latest l LEFT JOIN rental.book_title t ON t.book_no = l.book_no
      WHERE t.title IS DISTINCT FROM l.title`)) {
      add(`title cache ${row.book_no}`, `cached ${JSON.stringify(row.cached)}, latest event says ${JSON.stringify(row.title)}`, { bookNo: row.book_no as number });
    }
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
      const held = row.has_row ? `${row.visible ? 'partner' : 'non-partner'} row with ${row.rent_count} rents, ${row.return_count} returns` : 'no row';
      const implied = row.partner === null ? 'no row (erased, or no events)' : `${row.partner ? 'partner' : 'non-partner'} with ${row.rents} rents, ${row.returns} returns`;
      add(`partner summary ${row.member_id}`, `${held}, events say ${implied}`, { memberId: row.member_id as string });
    }
    return violations;
  },

  ...LIFE_CYCLE_RULES,
};

/** Every violation, or (with a scope) those about these members and books plus the system-wide ones. */
export async function checkInvariants(databaseUrl: string, options: { graceSeconds?: number; scope?: CheckScope } = {}): Promise<Violation[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const query: Query = async (sql, params) => (await client.query(sql, params)).rows;
    const results = [];
    for (const rule of Object.values(RULES)) results.push(...(await rule(query, options.graceSeconds ?? 30)));
    const { scope } = options;
    if (!scope) return results;
    const members = new Set(scope.memberIds ?? []);
    const books = new Set(scope.bookNos ?? []);
    return results.filter((violation) =>
      violation.memberId === undefined && violation.bookNo === undefined
        ? true
        : (violation.memberId !== undefined && members.has(violation.memberId)) || (violation.bookNo !== undefined && books.has(violation.bookNo)),
    );
  } finally {
    await client.end();
  }
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const violations = await checkInvariants(databaseUrl, { graceSeconds: Number(process.env.CHECK_GRACE_SECONDS ?? 30) });
  for (const violation of violations) console.log(`✗ ${violation.rule}: ${violation.subject}: ${violation.detail}`);
  console.log(violations.length === 0 ? `✓ ${Object.keys(RULES).length} invariants hold` : `${violations.length} violation(s)`);
  process.exit(violations.length === 0 ? 0 : 1);
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
