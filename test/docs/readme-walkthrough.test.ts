/**
 * The README's walkthrough cannot drift: the ```bash blocks of "Using it (curl)"
 * run as written, in order, in one bash with `set -euo pipefail`, against the
 * test stack. Only the dev profile's API and Mailpit addresses are swapped for
 * the stack's; every `jq -e` check in the blocks must hold, and no
 * `<placeholder>` may be left for a reader to fill in.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';
import { bashBlocks, section } from './readme.ts';

/** The dev profile's addresses as the README writes them, and the test stack's. */
function forStack(script: string): string {
  const api = new URL(stack().apiUrl).host;
  const mailpit = new URL(stack().mailpitUrl).host;
  return script.replace(/\b(?:localhost|127\.0\.0\.1):3000\b/g, api).replace(/\b(?:localhost|127\.0\.0\.1):8025\b/g, mailpit);
}

function runBash(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('README walkthrough (Using it (curl))', () => {
  const blocks = bashBlocks(section('Using it (curl)'));

  it('leaves nothing for the reader to fill in', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const script = blocks.join('\n');
    expect(script.match(/<[A-Za-z][\w-]*>/g) ?? []).toEqual([]);
    // The book it adds is the one it uses: never a number taken for granted.
    expect(script).not.toMatch(/"bookNo":\s*\d/);
    expect(script).not.toMatch(/\/books\/\d/);
  });

  it('runs as written against the test stack, every check holding', { timeout: 300_000 }, async () => {
    const script = forStack(['set -euo pipefail', ...blocks, 'echo "walkthrough: all blocks ran"'].join('\n'));
    expect(script).not.toMatch(/localhost:(3000|8025)|127\.0\.0\.1:(3000|8025)/);
    const { code, output } = await runBash(script, 280_000);
    expect(code, output.slice(-4000)).toBe(0);
    // It went the whole way (`set -e` stops at the first failing command or check).
    expect(output.trimEnd().endsWith('walkthrough: all blocks ran'), output.slice(-2000)).toBe(true);
  });
});
