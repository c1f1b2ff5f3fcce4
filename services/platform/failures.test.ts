import { describe, expect, it } from 'vitest';
import { backoffMs, classifyFailure } from './failures.ts';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:15433'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 }),
    ],
    ['connection reset', withCode('ECONNRESET')],
    ['admin shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['serialization failure', withCode('40001')],
    ['deadlock', withCode('40P01')],
    ['connection exception class 08', withCode('08006')],
    ['statement timeout', withCode('57014')],
    ['Prisma: database not reachable', withCode('P1001')],
    ['Prisma: pool timeout', withCode('P2024')],
    ['Prisma: write conflict or deadlock', withCode('P2034')],
    ['Prisma: expired transaction', withCode('P2028', 'Transaction already closed: A query cannot be executed on an expired transaction')],
    [
      'adapter kind in meta',
      Object.assign(new Error('x'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } } }),
    ],
    [
      'adapter postgres code in the cause chain',
      new Error('query failed', { cause: { kind: 'postgres', code: '57P01', message: 'terminating connection' } }),
    ],
    ['pg without a code', new Error('Connection terminated unexpectedly')],
    ['pg pool', new Error('timeout exceeded when trying to connect')],
    ['inside an AggregateError', new AggregateError([withCode('ECONNREFUSED')], 'all failed')],
    ['a retriable kafkajs error', Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError', retriable: true })],
    [
      'Temporal unreachable (gRPC UNAVAILABLE)',
      new Error('Failed to start Workflow', {
        cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
          code: 14,
          details: 'No connection established',
          metadata: {},
        }),
      }),
    ],
    [
      'Temporal too slow (gRPC DEADLINE_EXCEEDED)',
      Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4, details: 'Deadline exceeded', metadata: {} }),
    ],
  ])('%s is transient', (_name, error) => {
    expect(classifyFailure(error)).toBe('transient');
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'title')")],
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['Prisma: unique violation', withCode('P2002')],
    ['a check violation', withCode('23514')],
    ['not an error at all', 'boom'],
    ['a non-retriable kafkajs error', Object.assign(new Error('bad'), { name: 'KafkaJSNonRetriableError', retriable: false })],
    ['a gRPC refusal (INVALID_ARGUMENT)', Object.assign(new Error('3 INVALID_ARGUMENT: bad'), { code: 3, details: 'bad', metadata: {} })],
    [
      'a Kafka protocol error with code 14 (no gRPC status)',
      Object.assign(new Error('coordinator loading'), { name: 'KafkaJSProtocolError', code: 14, retriable: false }),
    ],
  ])('%s is permanent', (_name, error) => {
    expect(classifyFailure(error)).toBe('permanent');
  });

  it('survives a cause cycle', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(classifyFailure(error)).toBe('permanent');
  });
});

describe('backoffMs', () => {
  it('doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 10, 30].map((attempt) => backoffMs(attempt, 200, 3000))).toEqual([200, 400, 800, 1600, 3000, 3000, 3000]);
  });
});
