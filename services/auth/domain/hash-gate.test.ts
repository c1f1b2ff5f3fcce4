import { describe, expect, it } from 'vitest';
import { RetryLaterError } from '../../platform/errors.ts';
import { HashGate } from './hash-gate.ts';

/** A hash that finishes when the test says so. */
function pending() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

describe('HashGate', () => {
  it('runs at most `concurrency` hashes, queues `queue` more, and refuses the next with 503 SERVER_BUSY and Retry-After', async () => {
    const gate = new HashGate({ concurrency: 2, queue: 1 });
    const hashes = [pending(), pending(), pending()];
    const runs = hashes.map((hash) => gate.run(hash.work));
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(1);
    const refused = await gate.run(async () => 'never').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RetryLaterError);
    expect(refused).toMatchObject({ code: 'SERVER_BUSY', status: 503, retryAfterSeconds: 1 });
    hashes[0]!.finish();
    await runs[0];
    expect(gate.running).toBe(2); // the queued one took the place
    expect(gate.waiting).toBe(0);
    hashes[1]!.finish();
    hashes[2]!.finish();
    await Promise.all(runs);
    expect(gate.running).toBe(0);
    expect(await gate.run(async () => 'again')).toBe('again');
  });

  it('gives a place back when a hash fails', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 0 });
    await expect(gate.run(async () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed');
    expect(gate.running).toBe(0);
    expect(await gate.run(async () => 1)).toBe(1);
  });
});
