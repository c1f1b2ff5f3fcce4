/**
 * A third-party API fuzzer in the suite: Schemathesis generates requests from
 * /openapi.json (examples, boundary values, random and invalid data, chains of
 * calls) as nobody, as a member and as an admin, with every check on
 * (`--checks all`), and the API must give
 * - no server error;
 * - no status the document does not declare, and responses of the declared shape;
 * - no refusal of a request the document allows, no acceptance of one it forbids;
 * - 405 with `Allow` for a method a path does not take.
 * FUZZ_MAX_EXAMPLES (cases per operation and phase) and FUZZ_SEED vary the run;
 * reports land in test-results/schemathesis/<caller>/ (JUnit, full output, the config used).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../scripts/infra/profiles.ts';
import { api, stack } from '../support/api.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { installSchemathesis, runSchemathesis, SCHEMATHESIS_VERSION, type Caller, type FuzzResult } from './schemathesis.ts';
import { seedLibrary, type FuzzSeeds } from './seeds.ts';

const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
// Its own client address: the login and signup limits it runs into are not those of 127.0.0.1, which the other suites use.
const FUZZ_ADDRESS = '127.0.0.77';
const WORK_DIR = join(REPO, 'test-results/schemathesis');
// About 1.5 min each on a quiet 2-core machine; the bound is for a loaded one.
const RUN_TIMEOUT_MS = 15 * 60_000;

let st: string;
let seeds: FuzzSeeds;
let operations: number;
let documentedPaths: Set<string>;

beforeAll(async () => {
  [st, seeds] = await Promise.all([installSchemathesis(), seedLibrary()]);
  const { body: doc } = await api('/openapi.json');
  documentedPaths = new Set(Object.keys(doc.paths));
  operations = Object.values(doc.paths as Record<string, object>).reduce((sum, item) => sum + Object.keys(item).length, 0);
}, 300_000);

function summary(result: FuzzResult): string {
  const findings = [...result.errors, ...result.failures].map(
    (finding) => `${finding.operation} ${finding.codes.join(',')}\n${finding.text.slice(0, 1500)}`,
  );
  return findings.length > 0 ? findings.join('\n\n') : result.output.slice(-3000);
}

/** The operations Schemathesis lists under one warning of its summary ("Missing test data: ..."), up to the next warning or section. */
function warnedOperations(output: string, heading: string): string[] {
  const start = output.indexOf(`\n${heading}`);
  if (start < 0) return [];
  const next = /\n(?:[A-Z][^\n]*: \d+ operations?\b|=+ )/.exec(output.slice(start + 1));
  const block = output.slice(start, next ? start + 1 + next.index : undefined);
  return [...block.matchAll(/^\s+- ([A-Z]+ \S+)$/gm)].map((match) => match[1]!);
}

describe(`Schemathesis ${SCHEMATHESIS_VERSION} against the API`, () => {
  it.concurrent.each<Caller>(['nobody', 'member', 'admin'])(
    'as %s: no server error, nothing undocumented, nothing valid refused, 405 for undeclared methods',
    async (caller) => {
      const result = await runSchemathesis({
        st,
        caller,
        seeds,
        apiUrl: stack().apiUrl,
        documentedPaths,
        maxExamples: MAX_EXAMPLES,
        seed: SEED,
        workDir: WORK_DIR,
        sourceAddress: FUZZ_ADDRESS,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      console.log(
        `schemathesis as ${caller}: ${result.cases} cases on ${result.operations} operations in ${result.seconds.toFixed(0)} s ` +
          `(max-examples ${MAX_EXAMPLES}, seed ${SEED}); ${result.failures.length} failures, ${result.errors.length} errors`,
      );
      expect(result.operations, summary(result)).toBe(operations);
      expect(result.cases, summary(result)).toBeGreaterThan(operations * MAX_EXAMPLES);
      expect(result.errors, summary(result)).toEqual([]);
      expect(result.failures, summary(result)).toEqual([]);
      expect(result.exitCode, summary(result)).toBe(0);
      if (caller !== 'nobody') {
        // The seeds got it past the 404s of the operations that read them.
        const missing = warnedOperations(result.output, 'Missing test data');
        for (const path of [
          '/signups/{id}',
          '/rentals/{id}',
          '/returns/{id}',
          '/clear-overdue/{id}',
          '/erasures/{id}',
          '/partners/{memberId}/summary',
        ]) {
          expect(missing, `GET ${path} never got past 404`).not.toContain(`GET ${path}`);
        }
      }
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it('leaves the seeded members and books consistent (invariant checker)', async () => {
    await expectInvariantsToHold(
      { memberIds: [seeds.member.memberId, seeds.bystander.memberId], bookNos: [seeds.heldBookNo, seeds.availableBookNo] },
      120_000,
    );
  }, 180_000);
});
