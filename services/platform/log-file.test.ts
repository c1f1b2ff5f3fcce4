import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFile } from './log-file.ts';
import { createLogger } from './logger.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const linesOf = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('RotatingFile', () => {
  it('rotates by size, keeps the newest files, and never splits a line', () => {
    dir = mkdtempSync(join(tmpdir(), 'log-file-'));
    const file = new RotatingFile(join(dir, 'api.log'), { maxBytes: 1000, keep: 2 });
    for (let index = 0; index < 100; index++) file.write(`${JSON.stringify({ index, msg: 'x'.repeat(40) })}\n`);
    file.close();
    expect(readdirSync(dir).sort()).toEqual(['api.log', 'api.log.1', 'api.log.2']);
    const files = ['api.log.2', 'api.log.1', 'api.log'].map((name) => join(dir, name));
    const lines = files.flatMap(linesOf).map((line) => JSON.parse(line) as { index: number });
    // The newest lines, in order, with nothing missing between the oldest kept and the last.
    expect(lines.at(-1)!.index).toBe(99);
    expect(lines.map((line) => line.index)).toEqual(lines.map((_, i) => lines[0]!.index + i));
    for (const path of files) expect(readFileSync(path).length).toBeLessThanOrEqual(1000);
  });

  it('continues an existing file after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'log-file-'));
    const path = join(dir, 'worker.log');
    for (const run of [1, 2]) {
      const file = new RotatingFile(path, { maxBytes: 10_000, keep: 1 });
      file.write(`{"run":${run}}\n`);
      file.close();
    }
    expect(linesOf(path)).toEqual(['{"run":1}', '{"run":2}']);
  });
});

describe('createLogger with a file', () => {
  it('writes the JSON lines to the file too, redacted like stdout', () => {
    dir = mkdtempSync(join(tmpdir(), 'log-file-'));
    const lines: string[] = [];
    const logger = createLogger({
      name: 'api',
      level: 'debug',
      destination: { write: (line: string) => void lines.push(line) },
      file: { path: join(dir, 'api.log'), maxBytes: 1_000_000, keep: 1 },
    });
    logger.debug({ email: 'someone@example.com', bookNo: 7 }, 'rented');
    const written = linesOf(join(dir, 'api.log')).map((line) => JSON.parse(line));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ process: 'api', bookNo: 7, email: '[redacted]', msg: 'rented', level: 20 });
    expect(lines).toHaveLength(1);
  });
});
