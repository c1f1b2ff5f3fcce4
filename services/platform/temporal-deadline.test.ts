import { describe, expect, it } from 'vitest';
import { defaultDeadline } from './temporal.ts';

type Options = Parameters<ReturnType<typeof defaultDeadline>>[0];

/** Runs the interceptor with a stand-in next call and answers the options the next call got. */
function passedOn(options: Partial<Options>): Options {
  let seen: Options | undefined;
  defaultDeadline(10_000)(options as Options, (next) => {
    seen = next as Options;
    return {} as never;
  });
  return seen!;
}

describe('defaultDeadline', () => {
  it('gives a call without a deadline one 10 s from now', () => {
    const before = Date.now();
    const deadline = Number(passedOn({}).deadline);
    expect(deadline).toBeGreaterThanOrEqual(before + 10_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it('keeps a deadline the caller set (a long poll of its own)', () => {
    const own = Date.now() + 60_000;
    expect(passedOn({ deadline: own }).deadline).toBe(own);
  });
});
