/**
 * A second api process on the test stack's servers (its port is the stack's
 * API port + 4), for suites that prove something holds across API processes:
 * it shares nothing with the first but the database, Temporal and Kafka.
 */
import { startProcess, stopChild, waitForHealthy } from '../../scripts/processes.ts';
import { stack } from './api.ts';

export async function startSecondApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const { apiUrl, databaseUrl, temporalAddress, kafkaBrokers, profile } = stack();
  const port = Number(new URL(apiUrl).port) + 4;
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess('api', {
    env: {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      KAFKA_BROKERS: kafkaBrokers,
      PORT: String(port),
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      METRICS_PORT: '0',
    },
    logDir: `.data/${profile}/logs/second-api`,
  });
  try {
    await waitForHealthy(url, 120_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, stop: () => stopChild(child) };
}
