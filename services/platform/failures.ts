/**
 * Tells an infrastructure failure (the database or a broker is away, a
 * connection dropped, a transaction lost a race) from any other error. A
 * consumer waits out the first kind for as long as it takes and never
 * dead-letters for it; the second kind is a problem with the event or the code.
 */

/** PostgreSQL SQLSTATEs that say "try again later", not "this is wrong". */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '58000', // system_error
  '58030', // io_error
]);
/** SQLSTATE classes that are connection problems as a whole (08: connection exception). */
const TRANSIENT_SQLSTATE_CLASSES = ['08'];

/** Node.js socket errors. */
const TRANSIENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Prisma's codes for an unreachable or lost database, a pool timeout and a write conflict or deadlock. */
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2028', 'P2034', 'P2037']);

/** Kinds of @prisma/driver-adapter-utils errors (adapter-pg's mapping of the above). */
const TRANSIENT_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TransactionWriteConflict',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);

/** Messages of errors that carry no code (pg's own, kafkajs's). */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection (?:refused|reset|closed|timeout|lost)/i,
  /terminating connection/i,
  /server closed the connection/i,
  /can't reach database/i,
  /timeout exceeded when trying to connect/i,
  /timed out fetching a new connection/i,
  /the database system is (?:starting up|shutting down|in recovery mode)/i,
  /could not serialize access/i,
  /deadlock detected/i,
  /transaction already closed/i,
  /expired transaction/i,
  /client has encountered a connection error/i,
  /socket hang up/i,
];

/** gRPC status codes (Temporal's client) of a server that is away or did not answer in time: UNAVAILABLE, DEADLINE_EXCEEDED. */
const TRANSIENT_GRPC_CODES = new Set([14, 4]);

export type FailureKind = 'transient' | 'permanent';

/** Every object in an error's cause chain (cause, errors of an AggregateError, Prisma's meta), each once. */
function* causes(error: unknown, seen = new Set<unknown>()): Generator<Record<string, unknown>> {
  if (typeof error !== 'object' || error === null || seen.has(error) || seen.size > 20) return;
  seen.add(error);
  const value = error as Record<string, unknown>;
  yield value;
  yield* causes(value.cause, seen);
  yield* causes(value.originalError, seen);
  yield* causes(value.meta, seen);
  yield* causes((value.meta as Record<string, unknown> | undefined)?.driverAdapterError, seen);
  if (Array.isArray(value.errors)) for (const inner of value.errors) yield* causes(inner, seen);
}

/** Whether a handler error is the infrastructure's (wait and retry) or anything else (count attempts, then dead-letter). */
export function classifyFailure(error: unknown): FailureKind {
  for (const cause of causes(error)) {
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    const originalCode = typeof cause.originalCode === 'string' ? cause.originalCode : undefined;
    for (const candidate of [code, originalCode]) {
      if (!candidate) continue;
      if (TRANSIENT_SQLSTATES.has(candidate) || TRANSIENT_ERRNOS.has(candidate) || TRANSIENT_PRISMA_CODES.has(candidate))
        return 'transient';
      if (/^[0-9A-Z]{5}$/.test(candidate) && TRANSIENT_SQLSTATE_CLASSES.includes(candidate.slice(0, 2))) return 'transient';
    }
    if (typeof cause.kind === 'string' && TRANSIENT_ADAPTER_KINDS.has(cause.kind)) return 'transient';
    // A gRPC status carries its numeric code with `details` and `metadata` (Kafka's numeric codes come without them).
    if (typeof cause.code === 'number' && TRANSIENT_GRPC_CODES.has(cause.code) && typeof cause.details === 'string' && 'metadata' in cause)
      return 'transient';
    if (cause.retriable === true && typeof cause.name === 'string' && cause.name.startsWith('KafkaJS')) return 'transient';
    const message = typeof cause.message === 'string' ? cause.message : undefined;
    if (message && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return 'transient';
  }
  return 'permanent';
}

/** Capped exponential backoff: base·2^(attempt-1), at most capMs. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), capMs);
}
