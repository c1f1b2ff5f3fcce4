/**
 * What an operator runs against a running stack: the processes' log files on
 * disk and the operator commands (run as `npm run <name>` runs them).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NEEDS_OPERATOR_QUERY } from '../../services/platform/sagas.ts';
import { stack } from '../support/api.ts';
import { decodingClient } from '../support/temporal.ts';

const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs an operator script with the stack's addresses, as `npm run <name> -- args` would. */
export async function operatorCommand(script: string, args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack().temporalAddress,
      KAFKA_BROKERS: stack().kafkaBrokers,
      DATABASE_URL: stack().databaseUrl,
      LOG_LEVEL: 'warn',
      ...env,
    },
    timeout: 60_000,
  });
  return stdout;
}

describe('logs on disk', () => {
  it.runIf(stack().processes)('each app process writes its JSON log lines to .data/<profile>/logs/<process>.log', () => {
    const dir = join(REPO, '.data', stack().profile, 'logs');
    for (const name of ['api', 'worker', 'relay', 'consumers']) {
      expect(existsSync(join(dir, `${name}.log`)), `${name}.log`).toBe(true);
    }
    // Every line there is JSON of that process (at the stack's warn level a file may still be empty).
    for (const file of readdirSync(dir).filter((name) => /^(api|worker|relay|consumers)\.log$/.test(name))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean)) {
        expect(JSON.parse(line).process).toBe(file.replace(/\.log$/, ''));
      }
    }
  });
});

describe('npm run saga -- failed', () => {
  it('lists the sagas waiting for an operator, or says none', async () => {
    const client = await decodingClient();
    const waiting: string[] = [];
    for await (const execution of client.workflow.list({ query: NEEDS_OPERATOR_QUERY })) waiting.push(execution.workflowId);
    await client.connection.close();
    const output = await operatorCommand('scripts/saga-operator.ts', ['failed']);
    if (waiting.length === 0) expect(output.trim()).toMatch(/^none\b/);
    else for (const workflowId of waiting) expect(output).toContain(workflowId);
  });
});
