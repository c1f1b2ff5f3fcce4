/**
 * Checks an HS256 JWT in one synchronous step (node:crypto's HMAC and
 * timingSafeEqual): the bearer check runs on every authenticated request, and
 * WebCrypto's asynchronous HMAC (hono/jwt's verify) costs a thread-pool round
 * trip, which on a loaded machine was most of the check's tail (README
 * "Benchmarks"). Tokens are still issued by hono/jwt's sign.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenRefusal = 'MALFORMED' | 'SIGNATURE' | 'EXPIRED' | 'NOT_YET_VALID';

export class TokenRefused extends Error {
  constructor(readonly reason: TokenRefusal) {
    super(`token refused: ${reason}`);
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function json(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRefused('MALFORMED');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenRefused('MALFORMED');
  return value as Record<string, unknown>;
}

/**
 * The claims of a token signed with `secret` under HS256 (no other algorithm, "none" least of all)
 * that carries an expiry still ahead and no `nbf` or `iat` in the future. `nowSeconds` is Unix time.
 */
export function verifyHs256(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new TokenRefused('MALFORMED');
  const [header, payload, signature] = parts as [string, string, string];
  if (json(header).alg !== 'HS256') throw new TokenRefused('MALFORMED');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenRefused('SIGNATURE');
  const claims = json(payload);
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new TokenRefused('EXPIRED');
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) throw new TokenRefused('NOT_YET_VALID');
  if (typeof claims.iat === 'number' && claims.iat > nowSeconds) throw new TokenRefused('NOT_YET_VALID');
  return claims;
}
