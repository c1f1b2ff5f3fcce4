/**
 * The operator commands as an operator types them: `npm run <command> -- ... --profile <the suite's profile>`
 * with no DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS in the environment; each finds the servers by itself.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';

function npmRun(script: string, args: string[]): Promise<{ code: number; output: string }> {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'API_URL']) delete env[name];
  return new Promise((done) => {
    execFile(
      'npm',
      ['run', '--silent', script, '--', ...args, '--profile', stack().profile],
      { cwd: resolve(import.meta.dirname, '../..'), env, timeout: 120_000 },
      (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('operator commands find the profile they are given', () => {
  it('npm run check', async () => {
    const { code, output } = await npmRun('check', []);
    expect(output).not.toMatch(/DATABASE_URL is not set|ECONNREFUSED/);
    // 0 when everything holds, 1 with violations (other suites' work may be in flight); 2 would be a failure to run.
    expect([0, 1]).toContain(code);
    expect(output).toMatch(/invariants hold|violation\(s\)/);
  }, 150_000);

  it('npm run dlq -- list', async () => {
    const { code, output } = await npmRun('dlq', ['list']);
    expect(code).toBe(0);
    expect(output).toMatch(/unhandled dead letter\(s\)/);
  }, 150_000);

  it('npm run saga -- failed', async () => {
    const { code, output } = await npmRun('saga', ['failed']);
    expect(output).not.toMatch(/ECONNREFUSED|failed to connect/i);
    expect(code).toBe(0);
  }, 150_000);

  it('an unknown profile is refused', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((done) =>
      execFile(
        'npm',
        ['run', '--silent', 'dlq', '--', 'list', '--profile', 'prod'],
        { cwd: resolve(import.meta.dirname, '../..') },
        (error, stdout, stderr) => done({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
      ),
    );
    expect(code).toBe(1);
    expect(output).toMatch(/unknown profile "prod"/);
  });
});
