/**
 * Test-only fault injection, wired in only when FAULTS_FILE is configured
 * (loadConfig refuses it in production). Rules name an activity and a string
 * its input must contain (a member id, say), so one test's faults never touch
 * another test's sagas.
 */
import { ApplicationFailure } from '@temporalio/common';
import { readFileSync, statSync } from 'node:fs';

export interface FaultRule {
  activity: string;
  inputContains: string;
  /** Wait this long first (to cancel or kill something mid-step); without `fail: false` it then fails too. */
  delayMs?: number;
  /** Default true: fail with INJECTED_FAULT. */
  fail?: boolean;
}

export function withFaults<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T, faultsFile: string | undefined): T {
  if (!faultsFile) return activities;
  let cached: { mtimeMs: number; rules: FaultRule[] } = { mtimeMs: -1, rules: [] };
  const rules = (): FaultRule[] => {
    try {
      const { mtimeMs } = statSync(faultsFile);
      if (mtimeMs !== cached.mtimeMs) cached = { mtimeMs, rules: JSON.parse(readFileSync(faultsFile, 'utf8')) as FaultRule[] };
    } catch {
      cached = { mtimeMs: -1, rules: [] };
    }
    return cached.rules;
  };
  return Object.fromEntries(
    Object.entries(activities).map(([name, run]) => [
      name,
      async (input: never) => {
        const serialized = JSON.stringify(input);
        const rule = rules().find((candidate) => candidate.activity === name && serialized.includes(candidate.inputContains));
        if (rule?.delayMs) await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
        if (rule && rule.fail !== false) throw ApplicationFailure.nonRetryable(`fault injected into ${name}`, 'INJECTED_FAULT');
        return run(input);
      },
    ]),
  ) as T;
}
