/**
 * Test-only fault injection. The worker of the test stack runs with
 * FAULTS_FILE pointing here (refused when NODE_ENV=production); an activity
 * whose name and input match a rule fails with INJECTED_FAULT.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FaultRule } from './fault-interceptor.ts';

export const FAULTS_FILE = resolve(import.meta.dirname, `../../.data/${process.env.TEST_PROFILE ?? 'test'}/faults.json`);

export function setFaults(rules: FaultRule[]): void {
  mkdirSync(dirname(FAULTS_FILE), { recursive: true });
  writeFileSync(FAULTS_FILE, JSON.stringify(rules));
}
