/**
 * What revocation costs: every authenticated request looks its session up in
 * auth.session (one primary-key lookup, no cache). The api times each lookup in
 * the histogram bookrental_session_check_duration_seconds; the bench reads it
 * before and after a run and reports the run's lookups.
 */
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
