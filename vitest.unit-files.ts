/**
 * Which test files are unit tests: those that need no server. A test file
 * needs the stack when it asks for it (`inject(`) or uses the stack's helpers
 * (`test/support/`); every other test file is a unit test, so a new pure test
 * joins `npm run test:unit` without being listed anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = import.meta.dirname;
const SKIPPED_DIRS = new Set(['node_modules', '.data', '.git', 'generated']);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

export const needsStack = (source: string): boolean => /\binject\(|test\/support\/|\.\.\/support\//.test(source);

export const unitTestFiles = (): string[] => testFiles(ROOT).filter((file) => !needsStack(readFileSync(join(ROOT, file), 'utf8')));
