import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    // Starts PostgreSQL, Temporal and Kafka (profile "test") and the four processes once for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: a few files at a time keeps the servers responsive.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
