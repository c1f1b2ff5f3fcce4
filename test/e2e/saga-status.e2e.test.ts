/**
 * A saga's status resource while its step list cannot be had: the worker that
 * holds the saga fails the progress query (a real worker, on a task queue of its
 * own). The status read answers RUNNING with `progressUnavailable`, never a 500.
 */
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SEARCH, rentWorkflowId } from '../../services/contracts/temporal.ts';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { workerDataConverter } from '../../services/platform/temporal.ts';
import { api, stack } from '../support/api.ts';
import { newMember } from '../support/library.ts';
import { decodingClient } from '../support/temporal.ts';

const closing: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
});

describe('a saga status read', () => {
  it('answers RUNNING without steps when the worker fails the step-list query', async () => {
    const member = await newMember();
    const taskQueue = `progress-failure-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: stack().temporalAddress });
    closing.push(() => connection.close());
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('./progress-failure.workflow.ts', import.meta.url)),
      }),
      dataConverter: workerDataConverter(parseCodecKeys(process.env.TEMPORAL_CODEC_KEYS ?? DEVELOPMENT_CODEC_KEYS)),
    });
    const client = await decodingClient();
    closing.push(() => client.connection.close());

    const rentalId = randomUUID();
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('progressFailureWorkflow', {
        taskQueue,
        workflowId: rentWorkflowId(rentalId),
        typedSearchAttributes: [{ key: SEARCH.memberId, value: member.memberId }],
      });
      try {
        // The worker has taken the first workflow task (the query goes to a worker that knows the saga).
        await expect.poll(async () => (await handle.describe()).raw.pendingWorkflowTask ?? null, { timeout: 10_000 }).toBeNull();
        const { status, body } = await api(`/rentals/${rentalId}`, { token: member.token });
        expect(status, JSON.stringify(body)).toBe(200);
        expect(body).toEqual({ id: rentalId, status: 'RUNNING', steps: [], progressUnavailable: true });
      } finally {
        await handle.terminate('test over');
      }
    });
  }, 60_000);
});
