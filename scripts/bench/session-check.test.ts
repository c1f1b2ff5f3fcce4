import { describe, expect, it } from 'vitest';
import { readHistogram, sessionCheckCost } from './session-check.ts';

const exposition = (counts: number[], sum: number) =>
  [
    '# TYPE bookrental_session_check_duration_seconds histogram',
    ...[0.0005, 0.001, 0.0025].map((le, index) => `bookrental_session_check_duration_seconds_bucket{le="${le}"} ${counts[index]}`),
    `bookrental_session_check_duration_seconds_bucket{le="+Inf"} ${counts[3]}`,
    `bookrental_session_check_duration_seconds_sum ${sum}`,
    `bookrental_session_check_duration_seconds_count ${counts[3]}`,
    'bookrental_http_request_duration_seconds_count 7',
  ].join('\n');

describe('the session-check figure of the bench', () => {
  it("reads the api's histogram and reports the lookups between two readings", () => {
    const before = readHistogram(exposition([10, 10, 10, 10], 0.004));
    const after = readHistogram(exposition([40, 108, 110, 110], 0.084));
    expect(after.count).toBe(110);
    expect(sessionCheckCost(before, after)).toEqual({ checks: 100, meanMs: expect.closeTo(0.8, 6), p50Ms: 1, p99Ms: 2.5 });
  });

  it('reports nothing when no request was checked', () => {
    const reading = readHistogram(exposition([3, 3, 3, 3], 0.001));
    expect(sessionCheckCost(reading, reading)).toBeUndefined();
  });
});
