import { describe, expect, it } from 'vitest';
import { preferredWaitSeconds } from './saga-schemas.ts';

describe('Prefer: wait', () => {
  it('reads the seconds, capped at 10, and ignores what it does not understand', () => {
    expect(preferredWaitSeconds(undefined)).toBeUndefined();
    expect(preferredWaitSeconds('wait=3')).toBe(3);
    expect(preferredWaitSeconds('respond-async, wait=5')).toBe(5);
    expect(preferredWaitSeconds('WAIT = 7')).toBe(7);
    expect(preferredWaitSeconds('wait="2"')).toBe(2);
    expect(preferredWaitSeconds('wait=0')).toBe(0);
    expect(preferredWaitSeconds('wait=600')).toBe(10);
    expect(preferredWaitSeconds('respond-async')).toBeUndefined();
    expect(preferredWaitSeconds('wait=-1')).toBeUndefined();
    expect(preferredWaitSeconds('wait=abc')).toBeUndefined();
    expect(preferredWaitSeconds('nowait=3')).toBeUndefined();
    expect(preferredWaitSeconds('wait=1.5')).toBeUndefined();
  });
});
