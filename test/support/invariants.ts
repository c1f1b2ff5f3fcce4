import { checkInvariants, type CheckScope, type Violation } from '../../scripts/check.ts';
import { stack } from './api.ts';

/**
 * Waits until the invariant checker reports nothing about these members and
 * books, nor anything system-wide (events travel asynchronously, so consumer
 * lag and the outboxes need a moment), and fails with the violations if it
 * never does. Outboxes must be drained too (a grace period of 0 s); Kafka is
 * compared with the outboxes over the last ten minutes.
 */
export async function expectInvariantsToHold(scope: CheckScope, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let violations: Violation[] = [];
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      violations = await checkInvariants(stack().databaseUrl, {
        graceSeconds: 0,
        scope,
        brokers: stack().kafkaBrokers.split(','),
        temporalAddress: stack().temporalAddress,
        kafkaWindowSeconds: 600,
      });
      lastError = undefined;
      if (violations.length === 0) return;
    } catch (error) {
      // Right after a fault a server may still refuse (a broker not yet leading its partitions): ask again.
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  if (lastError) throw lastError;
  throw new Error(
    `invariants still violated after ${timeoutMs} ms:\n${violations.map((v) => `${v.rule}: ${v.subject}: ${v.detail}`).join('\n')}`,
  );
}
