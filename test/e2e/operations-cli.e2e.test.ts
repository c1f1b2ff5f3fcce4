/**
 * What an operator runs against a running stack: the processes' log files on
 * disk and the operator commands (run as `npm run <name>` runs them).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS } from '../../processes/consumers.ts';
import { ALL_TOPICS } from '../../services/contracts/events.ts';
import { NEEDS_OPERATOR_QUERY } from '../../services/platform/sagas.ts';
import { stack } from '../support/api.ts';
import { newBook } from '../support/library.ts';
import { decodingClient } from '../support/temporal.ts';

const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs an operator script with the stack's addresses, as `npm run <name> -- args` would. */
async function operatorCommand(script: string, args: string[], options: { withAddresses?: boolean; timeoutMs?: number } = {}) {
  const { KAFKA_BROKERS: _k, TEMPORAL_ADDRESS: _t, DATABASE_URL: _d, ...inherited } = process.env;
  const addresses = { TEMPORAL_ADDRESS: stack().temporalAddress, KAFKA_BROKERS: stack().kafkaBrokers, DATABASE_URL: stack().databaseUrl };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO,
    // Without the addresses, the command must find the stack from --profile alone.
    env: { ...inherited, ...(options.withAddresses === false ? {} : addresses), LOG_LEVEL: 'warn' },
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout;
}

describe('logs on disk', () => {
  it.runIf(stack().processes)('each app process writes its JSON log lines to .data/<profile>/logs/<process>.log', () => {
    const dir = join(REPO, '.data', stack().profile, 'logs');
    for (const name of ['api', 'worker', 'relay', 'consumers']) {
      expect(existsSync(join(dir, `${name}.log`)), `${name}.log`).toBe(true);
    }
    // Every line there is JSON of that process (at the stack's warn level a file may still be empty).
    for (const file of readdirSync(dir).filter((name) => /^(api|worker|relay|consumers)\.log$/.test(name))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean)) {
        expect(JSON.parse(line).process).toBe(file.replace(/\.log$/, ''));
      }
    }
  });
});

describe('npm run saga -- failed', () => {
  it('lists the sagas waiting for an operator, or says none', async () => {
    const client = await decodingClient();
    const waiting: string[] = [];
    for await (const execution of client.workflow.list({ query: NEEDS_OPERATOR_QUERY })) waiting.push(execution.workflowId);
    await client.connection.close();
    const output = await operatorCommand('scripts/saga-operator.ts', ['failed']);
    if (waiting.length === 0) expect(output.trim()).toMatch(/^none\b/);
    else for (const workflowId of waiting) expect(output).toContain(workflowId);
  });
});

describe('npm run events', () => {
  const profile = () => ['--profile', stack().profile];

  it('topics: every topic and its dead-letter topic with partitions, replicas, ISR and retention, and lag per group', {
    timeout: 120_000,
  }, async () => {
    const output = await operatorCommand('scripts/events.ts', ['topics', ...profile()], { withAddresses: false });
    const rows = output.split('\n').map((line) => line.split('\t'));
    for (const topic of ALL_TOPICS.flatMap((name) => [name, `${name}.dlq`])) {
      const partitions = rows.filter((row) => row[0] === topic);
      expect(
        partitions.map((row) => row[1]),
        topic,
      ).toEqual(['0', '1', '2']);
      for (const row of partitions) {
        expect(row[3]).toBe('1'); // replicas: the one broker
        expect(row[4]).toBe('1'); // in sync
        expect(row[7]).toMatch(/^(\d+(\.\d+)?[dh]|forever)$/);
      }
    }
    for (const group of Object.values(CONSUMER_GROUPS)) {
      expect(
        rows.some((row) => row[0] === group && ALL_TOPICS.includes(row[1] as never) && /^\d+$/.test(row[2] ?? '')),
        group,
      ).toBe(true);
    }
  });

  it('tail --key --from-beginning: the decoded envelope of a new book', { timeout: 120_000 }, async () => {
    const { bookNo, title } = await newBook();
    const output = await operatorCommand(
      'scripts/events.ts',
      ['tail', 'book.book-changed.v1', '--from-beginning', '--key', String(bookNo), '--max', '1', ...profile()],
      { withAddresses: false, timeoutMs: 90_000 },
    );
    const event = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(event).toMatchObject({ topic: 'book.book-changed.v1', key: String(bookNo) });
    expect(event.envelope).toMatchObject({ type: 'book.book-changed.v1', aggregateId: String(bookNo), payload: { bookNo, title } });
  });

  it("npm run kafka: the broker's own kafka-topics, fetched from Maven Central", { timeout: 300_000 }, async () => {
    const output = await operatorCommand(
      'scripts/kafka-cli.ts',
      ['kafka-topics', '--describe', '--topic', 'book.book-changed.v1', ...profile()],
      {
        withAddresses: false,
        timeoutMs: 280_000,
      },
    );
    expect(output).toMatch(/Topic: book\.book-changed\.v1\s+TopicId: \S+\s+PartitionCount: 3\s+ReplicationFactor: 1/);
  });
});
