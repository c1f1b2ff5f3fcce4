import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address a request came from: the socket's peer, unless `trustedProxyHops`
 * proxies (TRUST_PROXY_HOPS) stand in front of the API. Each of those appends the
 * address it saw to X-Forwarded-For, so the client is the entry that many places
 * from the end; entries further left were written by the client and prove nothing.
 */
export function clientAddress(c: Context, trustedProxyHops: number): string {
  let socket = 'unknown';
  try {
    socket = getConnInfo(c).remote.address ?? socket;
  } catch {
    // no socket: a request made with app.request() in a test
  }
  return pickClientAddress(socket, c.req.header('x-forwarded-for'), trustedProxyHops);
}

export function pickClientAddress(socket: string, forwardedFor: string | undefined, trustedProxyHops: number): string {
  if (trustedProxyHops === 0 || !forwardedFor) return unmapped(socket);
  const chain = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return unmapped(chain[Math.max(0, chain.length - trustedProxyHops)] ?? socket);
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
const unmapped = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
