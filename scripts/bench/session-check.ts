/**
 * What revocation costs: every authenticated request looks its session up in
 * auth.session (one primary-key lookup, no cache). The api times each lookup in
 * the histogram bookrental_session_check_duration_seconds; the bench reads it
 * before and after a run and reports the run's lookups.
 */
import { randomUUID } from 'node:crypto';
import { LIVE_SESSION } from '../../services/auth/db/sessions.ts';
import { openSession, sessionCheck } from '../../services/auth/sessions.ts';
import { createDb } from '../../services/platform/db.ts';
import { summarize, type Summary } from './stats.ts';

export const SESSION_CHECK_METRIC = 'bookrental_session_check_duration_seconds';

export interface HistogramReading {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound (seconds), +Inf last. */
  buckets: { le: number; count: number }[];
}

export interface SessionCheckCost {
  checks: number;
  meanMs: number;
  /** Upper bounds of the buckets holding the 50th and 99th percentile lookup. */
  p50Ms: number;
  p99Ms: number;
}

/** The histogram in a Prometheus text exposition (one series, no labels). */
export function readHistogram(text: string, name = SESSION_CHECK_METRIC): HistogramReading {
  const reading: HistogramReading = { count: 0, sum: 0, buckets: [] };
  for (const line of text.split('\n')) {
    const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`).exec(line);
    if (bucket) reading.buckets.push({ le: bucket[1] === '+Inf' ? Infinity : Number(bucket[1]), count: Number(bucket[2]) });
    else if (line.startsWith(`${name}_sum `)) reading.sum = Number(line.split(' ')[1]);
    else if (line.startsWith(`${name}_count `)) reading.count = Number(line.split(' ')[1]);
  }
  return reading;
}

/** The lookups between two readings; undefined when there were none. */
export function sessionCheckCost(before: HistogramReading, after: HistogramReading): SessionCheckCost | undefined {
  const checks = after.count - before.count;
  if (checks <= 0) return undefined;
  const counts = after.buckets.map((bucket, index) => ({ le: bucket.le, count: bucket.count - (before.buckets[index]?.count ?? 0) }));
  const quantile = (q: number) => (counts.find((bucket) => bucket.count >= q * checks)?.le ?? Infinity) * 1000;
  return { checks, meanMs: ((after.sum - before.sum) / checks) * 1000, p50Ms: quantile(0.5), p99Ms: quantile(0.99) };
}

export async function scrapeSessionChecks(apiUrl: string): Promise<HistogramReading> {
  const response = await fetch(`${apiUrl}/metrics`);
  return readHistogram(await response.text());
}

/**
 * The lookup alone, outside the api: `lookups` checks of one session through
 * the api's own code (sessionCheck: a pg prepared statement on the client's pool), one after the
 * other, then `parallel` at a time; each timed. The session row is removed after.
 */
export async function microBenchSessionCheck(
  databaseUrl: string,
  lookups = 2000,
  parallel = 8,
): Promise<{ sequential: Summary; concurrent: Summary; parallel: number; cpuMsPerLookup: number; databaseMs: number }> {
  const db = createDb(databaseUrl, parallel);
  const tokens = { secret: 'bench-session-check-0123456789abcdef', ttlSeconds: 60, refreshTtlSeconds: 60, sessions: sessionCheck(db) };
  const memberId = randomUUID();
  try {
    const { sessionId } = await openSession(db, tokens, { memberId, role: 'USER' });
    const timed = async () => {
      const started = performance.now();
      if (!(await tokens.sessions.isLive(sessionId, memberId))) throw new Error('the bench session is not live');
      return performance.now() - started;
    };
    for (let i = 0; i < 100; i++) await timed(); // warm the pool and the JIT
    const sequential: number[] = [];
    // CPU time of this process per lookup: what the api pays, and far less disturbed by a busy machine than wall time.
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < lookups; i++) sequential.push(await timed());
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerLookup = (cpu.user + cpu.system) / 1000 / lookups;
    // PostgreSQL's own execution time for the lookup (an index scan on the primary key).
    const plan = await db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ANALYZE ${LIVE_SESSION.text}`, sessionId);
    const databaseMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.map((row) => row['QUERY PLAN']).join('\n'))?.[1] ?? NaN);
    const concurrent: number[] = [];
    for (let i = 0; i < lookups / parallel; i++) concurrent.push(...(await Promise.all(Array.from({ length: parallel }, timed))));
    return { sequential: summarize(sequential), concurrent: summarize(concurrent), parallel, cpuMsPerLookup, databaseMs };
  } finally {
    await db.session.deleteMany({ where: { memberId } });
    await db.$disconnect();
  }
}
