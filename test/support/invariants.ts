import { checkInvariants, type CheckScope, type Violation } from '../../scripts/check.ts';
import { stack } from './api.ts';

/**
 * Waits until the invariant checker reports nothing about these members and
 * books (events travel asynchronously), and fails with the violations if it
 * never does. Outboxes must be drained too (a grace period of 0 s).
 */
export async function expectInvariantsToHold(scope: CheckScope, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let violations: Violation[] = [];
  while (Date.now() < deadline) {
    violations = await checkInvariants(stack().databaseUrl, { graceSeconds: 0, scope });
    if (violations.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`invariants still violated after ${timeoutMs} ms:\n${violations.map((v) => `${v.rule}: ${v.subject}: ${v.detail}`).join('\n')}`);
}
