import { createHmac } from 'node:crypto';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { TokenRefused, verifyHs256 } from './hs256.ts';

const SECRET = 'a-secret-long-enough-for-hs256-tests';
const NOW = 1_800_000_000;
const claims = { sub: 'member-1', role: 'USER', sid: 'session-1', iat: NOW - 10, exp: NOW + 900 };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token assembled by hand, to try what hono's sign would never produce. */
function handMade(header: unknown, payload: unknown, secret = SECRET): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
const refusal = (call: () => unknown) => {
  try {
    call();
  } catch (error) {
    if (error instanceof TokenRefused) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('HS256 bearer token check', () => {
  it('accepts what hono/jwt signs and returns its claims', async () => {
    expect(verifyHs256(await sign(claims, SECRET, 'HS256'), SECRET, NOW)).toEqual(claims);
  });

  it('refuses another secret, and a signature changed by one character', async () => {
    const token = await sign(claims, SECRET, 'HS256');
    expect(refusal(() => verifyHs256(token, 'another-secret', NOW))).toBe('SIGNATURE');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(refusal(() => verifyHs256(`${token.slice(0, -1)}${last}`, SECRET, NOW))).toBe('SIGNATURE');
    expect(refusal(() => verifyHs256(`${token.split('.').slice(0, 2).join('.')}.c2hvcnQ`, SECRET, NOW))).toBe('SIGNATURE');
  });

  it('refuses a payload changed after signing', async () => {
    const [header, , signature] = (await sign(claims, SECRET, 'HS256')).split('.');
    const forged = `${header}.${b64({ ...claims, role: 'ADMIN' })}.${signature}`;
    expect(refusal(() => verifyHs256(forged, SECRET, NOW))).toBe('SIGNATURE');
  });

  it('refuses any algorithm but HS256, "none" included', () => {
    expect(refusal(() => verifyHs256(handMade({ alg: 'none', typ: 'JWT' }, claims), SECRET, NOW))).toBe('MALFORMED');
    expect(refusal(() => verifyHs256(`${b64({ alg: 'none' })}.${b64(claims)}.`, SECRET, NOW))).toBe('MALFORMED');
    expect(refusal(() => verifyHs256(handMade({ alg: 'HS512', typ: 'JWT' }, claims), SECRET, NOW))).toBe('MALFORMED');
  });

  it('refuses expired tokens, tokens without an expiry, and tokens not valid yet', () => {
    const header = { alg: 'HS256', typ: 'JWT' };
    expect(refusal(() => verifyHs256(handMade(header, { ...claims, exp: NOW }), SECRET, NOW))).toBe('EXPIRED');
    expect(refusal(() => verifyHs256(handMade(header, { ...claims, exp: undefined }), SECRET, NOW))).toBe('EXPIRED');
    expect(refusal(() => verifyHs256(handMade(header, { ...claims, nbf: NOW + 60 }), SECRET, NOW))).toBe('NOT_YET_VALID');
    expect(refusal(() => verifyHs256(handMade(header, { ...claims, iat: NOW + 60 }), SECRET, NOW))).toBe('NOT_YET_VALID');
    expect(refusal(() => verifyHs256(handMade(header, claims), SECRET, NOW))).toBe('accepted');
  });

  it('refuses what is not a token', () => {
    for (const garbage of ['', 'garbage', 'a.b', 'a.b.c.d', 'a.b.c', '..', `${b64([1])}.${b64(claims)}.AAAA`, 'a+b.c/d.e=f']) {
      expect(
        refusal(() => verifyHs256(garbage, SECRET, NOW)),
        garbage,
      ).toBe('MALFORMED');
    }
    const header = { alg: 'HS256', typ: 'JWT' };
    const notJson = `${b64(header)}.${Buffer.from('not json').toString('base64url')}`;
    const signed = `${notJson}.${createHmac('sha256', SECRET).update(notJson).digest('base64url')}`;
    expect(refusal(() => verifyHs256(signed, SECRET, NOW))).toBe('MALFORMED');
  });
});
