/**
 * The README's walkthrough ("Using it (curl)") runs as written against the
 * test stack: its ```bash blocks, in order, in one bash with `set -euo pipefail`,
 * the dev API address swapped for the stack's. The blocks check themselves
 * (`curl -f`, `jq -e`), so an answer that changed shape or status fails here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';
import { bashBlocks, section } from './readme.ts';

const run = promisify(execFile);

/** Every way the README may write the dev API's address. */
const DEV_API = /(?:https?:\/\/)?(?:localhost|127\.0\.0\.1):3000\b/g;

describe('README walkthrough', () => {
  const blocks = bashBlocks(section('Using it (curl)'));

  it('has blocks to run, with no placeholder left for the reader to fill in', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const code = blocks.join('\n').split('\n').map((line) => line.replace(/\s#\s.*$/, '')); // comments may show answers
    expect(code.filter((line) => /<[a-zA-Z][\w-]*>/.test(line))).toEqual([]);
  });

  it('runs as written against the test stack', { timeout: 180_000 }, async () => {
    const script = ['set -euo pipefail', ...blocks.map((block) => block.replace(DEV_API, stack().apiUrl))].join('\n');
    const result = await run('bash', ['-c', script], { timeout: 150_000, maxBuffer: 10 * 1024 * 1024 }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`the walkthrough failed (exit ${error.code}):\n${error.stderr}\n--- output ---\n${error.stdout?.slice(-4000)}`);
    });
    expect(result.stdout).toContain('true'); // the jq -e checks printed their verdicts
  });
});
