/** Rules of the layout that code review alone would not keep. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SERVICES = ['auth', 'member', 'book', 'rental', 'partner', 'bestbook', 'notifications'] as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Module specifiers imported for their values (type-only imports are erased and do no I/O). */
function valueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]!);
}

/** Prisma delegate names (`db.rentalCard`) of the models declared in a service's schema file. */
function delegatesOf(service: string): string[] {
  const text = readFileSync(join(ROOT, 'prisma/schema', `${service}.prisma`), 'utf8');
  return [...text.matchAll(/^model (\w+)/gm)].map((match) => match[1]![0]!.toLowerCase() + match[1]!.slice(1));
}

describe('workflow code', () => {
  it('imports nothing that does I/O', () => {
    const files = sourceFiles('workflows');
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      for (const specifier of valueImports(file)) {
        const allowed =
          specifier === '@temporalio/workflow' ||
          specifier === '@temporalio/common' ||
          specifier.startsWith('./') ||
          // The Temporal side of the contracts: constants and types, safe in the sandbox.
          specifier === '../services/contracts/temporal.ts';
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('uses no ambient randomness or timers, and reads the clock in one place', () => {
    for (const file of sourceFiles('workflows')) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/new Date\(\)|Math\.random\(|setTimeout\(|setInterval\(|process\.env/);
      // workflows/clock.ts explains why Date.now() is deterministic there; nobody else calls it.
      if (!file.endsWith('clock.ts')) expect(text, file).not.toMatch(/Date\.now\(/);
    }
  });
});

describe('service boundaries', () => {
  for (const service of SERVICES) {
    it(`${service} reaches only its own data`, () => {
      const foreign = SERVICES.filter((other) => other !== service).flatMap((other) => delegatesOf(other).map((d) => ({ other, d })));
      for (const file of sourceFiles(`services/${service}`)) {
        for (const specifier of valueImports(file)) {
          const match = /services\/(\w+)\/db\/|^\.\.\/\.\.\/(\w+)\/db\/|^\.\.\/(\w+)\/db\//.exec(specifier);
          const target = match?.slice(1).find(Boolean);
          expect(target === undefined || target === service, `${file} imports ${specifier}`).toBe(true);
        }
        const text = readFileSync(join(ROOT, file), 'utf8');
        for (const { other, d } of foreign) {
          expect(text.includes(`.${d}.`), `${file} touches ${other}'s model ${d}`).toBe(false);
        }
      }
    });
  }

  it('each service owns a schema file with at least one model', () => {
    for (const service of SERVICES) expect(delegatesOf(service).length).toBeGreaterThan(0);
  });
});

describe('production code', () => {
  it('carries no test hook: nothing outside test/ imports test code', () => {
    for (const dir of ['processes', 'services', 'activities', 'workflows']) {
      for (const file of sourceFiles(dir)) {
        for (const specifier of valueImports(file)) expect(specifier, `${file} imports ${specifier}`).not.toMatch(/(^|\/)test\//);
      }
    }
  });
});
