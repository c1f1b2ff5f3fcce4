/**
 * Brings up the real stack for the suite: PostgreSQL, Temporal and Kafka
 * (profile "test", installed when missing), migrations, then the api, worker,
 * relay and consumers processes exactly as `npm start` runs them.
 */
import type { TestProject } from 'vitest/node';
import { isProfile, startInfrastructure } from '../../scripts/infra/infra.ts';
import { applyMigrations } from '../../scripts/db/schema-engine.ts';
import { startProcesses, waitForHealthy, type ProcessGroup } from '../../scripts/processes.ts';
import { TEMPORAL_BINARY } from '../../scripts/infra/infra.ts';
import { CONSUMER_GROUPS } from '../../processes/consumers.ts';
import { waitForConsumerGroups } from './kafka.ts';
import { FAULTS_FILE } from './faults.ts';

const API_PORT = Number(process.env.TEST_API_PORT ?? 3100 + 10 * Number(/\d+$/.exec(process.env.TEST_PROFILE ?? '')?.[0] ?? 0));
/** TEST_PROCESSES=0 starts only the servers (for suites that need no app process). */
const WITH_PROCESSES = process.env.TEST_PROCESSES !== '0';

/** TEST_PROFILE=test2 (say) runs the suite on a second, separate set of servers. */
export const TEST_PROFILE = process.env.TEST_PROFILE ?? 'test';

export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[stack] ${line}`);
  if (!isProfile(TEST_PROFILE) || TEST_PROFILE === 'dev') throw new Error(`TEST_PROFILE must be test or test1..test9, not ${TEST_PROFILE}`);
  const infra = await startInfrastructure({ profile: TEST_PROFILE, log });
  await applyMigrations(infra.env.DATABASE_URL);
  const env = {
    ...infra.env,
    PORT: String(API_PORT),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Short loans so overdue suites finish in seconds: 8 s loan, 2 s fee day.
    LOAN_PERIOD_SECONDS: '8',
    FEE_DAY_SECONDS: '2',
    FAULTS_FILE: FAULTS_FILE,
  };
  let processes: ProcessGroup | undefined;
  try {
    if (WITH_PROCESSES) {
      processes = startProcesses({ env, logDir: `.data/${TEST_PROFILE}/logs` });
      await waitForHealthy(`http://127.0.0.1:${API_PORT}`, 120_000);
      await waitForConsumerGroups(infra.env.KAFKA_BROKERS, Object.values(CONSUMER_GROUPS), 120_000);
    }
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
