import { defineConfig } from 'vitest/config';
import { unitTestFiles } from './vitest.unit-files.ts';

/**
 * Three projects: `unit` (no server: `npm run test:unit`), `suite` (the real
 * stack, started once by test/support/global-setup.ts) and `faults` (kill
 * processes and stop servers, one file at a time, after everything else).
 *
 * test/observability runs api, worker, relay and consumers inside the test
 * process, so it runs only in a pass without the stack's own processes
 * (TEST_PROCESSES=0; scripts/test.sh runs that pass after the main one).
 */
const inProcessPass = process.env.TEST_PROCESSES === '0';
/** The API fuzzer loads the API for minutes and rents whatever book numbers it draws: it runs alone, after the suite. */
const FUZZ_SUITE = 'test/fuzz/schemathesis.test.ts';
const unitFiles = unitTestFiles().filter((file) => file !== FUZZ_SUITE);
const suiteExclude = [
  'node_modules/**',
  '.data/**',
  'test/faults/**',
  FUZZ_SUITE,
  ...unitFiles,
  ...(inProcessPass ? [] : ['test/observability/**']),
];
// Starts PostgreSQL, Temporal and Kafka (profile "test") and the four processes once for the whole run.
const globalSetup = ['test/support/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: a few files at a time keeps the servers responsive.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: unitFiles, testTimeout: 30_000 } },
      {
        extends: true,
        test: { name: 'suite', globalSetup, include: ['**/*.test.ts'], exclude: suiteExclude, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'fuzz', globalSetup, include: [FUZZ_SUITE], sequence: { groupOrder: 1 } },
      },
      // Fault suites kill processes and stop servers: they run after everything else, one file at a time.
      {
        extends: true,
        test: {
          name: 'faults',
          globalSetup,
          include: ['test/faults/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
