/** Rules of the layout that code review alone would not keep. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SERVICES = ['auth', 'member', 'book', 'rental', 'partner', 'bestbook', 'notifications'] as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Module specifiers imported for their values (type-only imports are erased and do no I/O). */
function valueImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1]!);
}

interface ImportEdge {
  specifier: string;
  /** Erased at compile time: `import type`, `export type`, or an `import('…')` type. */
  typeOnly: boolean;
}

/**
 * Every module a file names, parsed (not pattern-matched): import and export
 * declarations, `import()` calls and `import('…')` types. `import { type A }`
 * is not type-only: with verbatimModuleSyntax the import itself stays.
 */
function importsOf(fileName: string, text: string): ImportEdge[] {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind);
  const edges: ImportEdge[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      edges.push({ specifier: node.argument.literal.text, typeOnly: true });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      edges.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The homes under services/: one per service, the operations console, and what they share. */
const SERVICE_HOMES = [...SERVICES, 'ops'].map((home) => `services/${home}`);
const SHARED_HOMES = ['services/contracts', 'services/platform', 'services/generated'];
/**
 * The one file under services/ outside a home: it composes the read models of
 * four services for the consumers process and the rebuild script, as processes/ do.
 */
const COMPOSITION_FILES = ['services/read-models.ts'];

/** `services/<home>` for a path under services/, else the path's top folder (`workflows`, `test`...). */
function homeOf(path: string): string {
  const parts = path.split('/');
  return parts[0] === 'services' && parts.length > 2 ? `services/${parts[1]}` : parts[0]!;
}

/** What is wrong with a file's imports under the layering rules (README "Architecture"); empty when nothing. */
function layeringViolations(file: string, edges: ImportEdge[]): string[] {
  const home = homeOf(file);
  const wrong: string[] = [];
  for (const { specifier, typeOnly } of edges) {
    if (!specifier.startsWith('.')) continue; // a package
    const target = normalize(join(dirname(file), specifier));
    const targetHome = homeOf(target);
    if (targetHome === 'workflows' && !typeOnly)
      wrong.push(`${file} imports ${specifier} for its values: only \`import type\` from workflows/`);
    if (!target.startsWith('services/') || targetHome === home) continue;
    if (home === 'services/platform' && targetHome !== 'services/contracts' && targetHome !== 'services/generated') {
      wrong.push(`${file} imports ${specifier}: the platform imports no service`);
    } else if (home === 'services/contracts' && targetHome !== 'services/generated') {
      wrong.push(`${file} imports ${specifier}: contracts import nothing else under services/`);
    } else if (SERVICE_HOMES.includes(home) && !SHARED_HOMES.includes(targetHome)) {
      wrong.push(`${file} imports ${specifier}: a service reaches another only through services/contracts`);
    }
  }
  return wrong;
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

describe('layering', () => {
  it('every file under services/ lives in a home', () => {
    for (const file of sourceFiles('services')) {
      const home = homeOf(file);
      expect(SERVICE_HOMES.includes(home) || SHARED_HOMES.includes(home) || COMPOSITION_FILES.includes(file), `${file} is in no home`).toBe(
        true,
      );
    }
  });

  // Test files are left out: like processes/, a test may wire a service to the platform (real sessions for a route test).
  it('platform imports no service, services import workflows/ only for types, and reach each other only through contracts', () => {
    const files = sourceFiles('services').filter((file) => !COMPOSITION_FILES.includes(file));
    expect(files.length).toBeGreaterThan(50);
    const wrong = files.flatMap((file) => layeringViolations(file, importsOf(file, readFileSync(join(ROOT, file), 'utf8'))));
    expect(wrong).toEqual([]);
  });

  it('catches each kind of wrong import (the rules above can fail)', () => {
    const check = (file: string, text: string) => layeringViolations(file, importsOf(file, text));
    expect(check('services/platform/http/guards.ts', "import { verifyToken } from '../../auth/login.ts';")).toHaveLength(1);
    expect(check('services/platform/http/app.ts', "type P = import('../../auth/login.ts').TPrincipal;")).toHaveLength(1);
    expect(check('services/platform/sagas.ts', "import type * as workflows from '../../workflows/index.ts';")).toEqual([]);
    expect(check('services/platform/sagas.ts', "import { type Saga } from '../../workflows/saga.ts';")).toHaveLength(1);
    expect(check('services/rental/loans.ts', "export { rentWorkflow } from '../../workflows/rent.workflow.ts';")).toHaveLength(1);
    expect(check('services/member/http/routes.ts', "import type { TokenOptions } from '../../auth/login.ts';")).toHaveLength(1);
    expect(check('services/ops/ops-routes.tsx', "const m = await import('../auth/login.ts');")).toHaveLength(1);
    expect(check('services/contracts/events.ts', "import { AppError } from '../platform/errors.ts';")).toHaveLength(1);
    const allowed =
      "import { TOPICS } from '../../contracts/events.ts';\nimport { AppError } from '../../platform/errors.ts';\nimport { x } from '../db/x.ts';";
    expect(check('services/rental/http/routes.ts', allowed)).toEqual([]);
  });
});

describe('types', () => {
  it('no double cast (`as unknown as`) anywhere: a type that does not fit is fixed, not forced', () => {
    const files = ['processes', 'services', 'activities', 'workflows', 'scripts', 'test'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.parentPath.includes('generated'))
        .map((entry) => relative(ROOT, join(entry.parentPath, entry.name))),
    );
    // Spelled in two halves so this file does not find itself.
    const doubleCast = new RegExp(['as unknown', 'as '].join(' '));
    expect(files.filter((file) => doubleCast.test(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
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
