/**
 * Start-up refuses what would leave a process half-configured, naming what
 * is wrong and the command that fixes it: a namespace without the search
 * attributes, a database without the schema, topics below the configured
 * replication factor (the real processes exit before doing any work).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NODE_FLAGS } from '../../scripts/processes.ts';
import { createDb } from '../../services/platform/db.ts';
import { checkSchema, MIGRATE_COMMAND } from '../../services/platform/schema-check.ts';
import { checkNamespace } from '../../services/platform/temporal-connection.ts';

const stack = inject('stack');
const bareNamespace = `bare-${randomUUID().slice(0, 8)}`;
let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: stack.temporalAddress });
  await connection.workflowService.registerNamespace({ namespace: bareNamespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
});
afterAll(() => connection?.close());

/** Runs one app process as `npm run <name>` does, with the test stack's settings plus `env`; resolves when it exits. */
function runProcess(name: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const childEnv = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    KAFKA_BROKERS: stack.kafkaBrokers,
    NODE_ENV: 'test',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...NODE_FLAGS, '--import', 'tsx', `processes/${name}.ts`],
      { env: childEnv, timeout: 90_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout + stderr });
      },
    );
  });
}

describe('start-up checks', () => {
  it('a namespace without the search attributes: the error lists them and the command that adds them', async () => {
    await expect(checkNamespace(connection, 'default', stack.temporalAddress)).resolves.toBeUndefined();
    const error = await checkNamespace(connection, bareNamespace, stack.temporalAddress).catch((e: unknown) => e as Error);
    expect(error?.message).toContain(
      `Temporal namespace "${bareNamespace}" lacks the search attribute(s) MemberId, BookNo, SagaStatus, SagaType`,
    );
    expect(error?.message).toContain(
      `temporal operator search-attribute create --namespace ${bareNamespace} --address ${stack.temporalAddress} --name MemberId --type Keyword`,
    );
    const missing = await checkNamespace(connection, 'no-such-namespace', stack.temporalAddress).catch((e: unknown) => e as Error);
    expect(missing?.message).toContain('temporal operator namespace create --namespace no-such-namespace');
  });

  it('a worker against that namespace exits before polling, with that message', async () => {
    const { code, output } = await runProcess('worker', { TEMPORAL_NAMESPACE: bareNamespace });
    expect(code).toBe(1);
    expect(output).toContain('lacks the search attribute(s) MemberId, BookNo, SagaStatus, SagaType');
    expect(output).not.toContain('worker polling');
  }, 120_000);

  it('a database without the schema: the error names the migration command', async () => {
    const name = `empty_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: stack.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(stack.databaseUrl);
    url.pathname = `/${name}`;
    const db = createDb(url.toString(), 1);
    try {
      await expect(checkSchema(db)).rejects.toThrow(
        `the database has no schema (no _prisma_migrations table); apply it: ${MIGRATE_COMMAND}`,
      );
      await expect(checkSchema(createDb(stack.databaseUrl, 1))).resolves.toBeUndefined();
      const { code, output } = await runProcess('consumers', { DATABASE_URL: url.toString() });
      expect(code).toBe(1);
      expect(output).toContain(`apply it: ${MIGRATE_COMMAND}`);
    } finally {
      await db.$disconnect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);

  it('a relay configured for more replicas than the topics have exits, naming the topics and the fix', async () => {
    const replicas = stack.kafkaBrokers.split(',').length; // the profile's topics have one per broker
    const { code, output } = await runProcess('relay', { KAFKA_TOPIC_REPLICATION_FACTOR: String(replicas + 1) });
    expect(code).toBe(1);
    expect(output).toContain(
      `topic rental.item-rented.v1: replication factor ${replicas}, configured ${replicas + 1} (KAFKA_TOPIC_REPLICATION_FACTOR)`,
    );
    expect(output).toContain('npm run topics:fix');
    expect(output).not.toContain('relay publishing outboxes');
  }, 120_000);
});
