/**
 * Brings up the real stack for the suite: PostgreSQL, Temporal and Kafka
 * (profile "test", installed when missing), migrations, then the api, worker,
 * relay and consumers processes exactly as `npm start` runs them.
 */
import type { TestProject } from 'vitest/node';
import { startInfrastructure } from '../../scripts/infra/infra.ts';
import { applyMigrations } from '../../scripts/db/schema-engine.ts';
import { startProcesses, waitForHealthy, type ProcessGroup } from '../../scripts/processes.ts';
import { TEMPORAL_BINARY } from '../../scripts/infra/infra.ts';
import { CONSUMER_GROUPS } from '../../processes/consumers.ts';
import { waitForConsumerGroups } from './kafka.ts';

const API_PORT = 3100;

export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[stack] ${line}`);
  const infra = await startInfrastructure({ profile: 'test', log });
  await applyMigrations(infra.env.DATABASE_URL);
  const env = { ...infra.env, PORT: String(API_PORT), NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  let processes: ProcessGroup | undefined;
  try {
    processes = startProcesses({ env, logDir: '.data/test/logs' });
    await waitForHealthy(`http://127.0.0.1:${API_PORT}`, 120_000);
    await waitForConsumerGroups(infra.env.KAFKA_BROKERS, Object.values(CONSUMER_GROUPS), 120_000);
  } catch (error) {
    await processes?.stop();
    await infra.stop();
    throw error;
  }
  project.provide('stack', {
    apiUrl: `http://127.0.0.1:${API_PORT}`,
    databaseUrl: infra.env.DATABASE_URL,
    temporalAddress: infra.env.TEMPORAL_ADDRESS,
    temporalUiUrl: infra.env.TEMPORAL_UI_URL ?? '',
    kafkaBrokers: infra.env.KAFKA_BROKERS,
    temporalBinary: TEMPORAL_BINARY,
  });
  return async () => {
    await processes?.stop();
    await infra.stop();
  };
}
