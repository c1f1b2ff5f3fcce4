/**
 * Fault injection for the test stack, installed as a Temporal activity
 * interceptor by the worker's test entry (test/support/processes/worker.ts);
 * production code knows nothing of it. Rules (test/support/faults.ts) name an
 * activity and a string its input must contain (a member id, say), so one
 * test's faults never touch another test's sagas.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { readFileSync, statSync } from 'node:fs';

export interface FaultRule {
  activity: string;
  inputContains: string;
  /** Wait this long first (to cancel or kill something mid-step); without `fail: false` it then fails too. */
  delayMs?: number;
  /** Default true: fail with INJECTED_FAULT. */
  fail?: boolean;
}

/** Reads the rules file again whenever it changes, so a test can set faults while the worker runs. */
function rulesFrom(faultsFile: string): () => FaultRule[] {
  let cached: { mtimeMs: number; rules: FaultRule[] } = { mtimeMs: -1, rules: [] };
  return () => {
    try {
      const { mtimeMs } = statSync(faultsFile);
      if (mtimeMs !== cached.mtimeMs) cached = { mtimeMs, rules: JSON.parse(readFileSync(faultsFile, 'utf8')) as FaultRule[] };
    } catch {
      cached = { mtimeMs: -1, rules: [] };
    }
    return cached.rules;
  };
}

export function faultInterceptor(faultsFile: string): ActivityInterceptorsFactory {
  const rules = rulesFrom(faultsFile);
  return (): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      async execute(input, next) {
        const name = Context.current().info.activityType;
        const serialized = JSON.stringify(input.args);
        const rule = rules().find((candidate) => candidate.activity === name && serialized.includes(candidate.inputContains));
        if (rule?.delayMs) await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
        if (rule && rule.fail !== false) throw ApplicationFailure.nonRetryable(`fault injected into ${name}`, 'INJECTED_FAULT');
        return next(input);
      },
    },
  });
}
