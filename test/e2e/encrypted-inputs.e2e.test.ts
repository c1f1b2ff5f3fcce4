/**
 * Workers take only encrypted inputs: a workflow started with a plaintext
 * input (here through the `temporal` CLI, as anyone who can reach Temporal
 * could) fails its workflow task before any workflow code runs, so it has no
 * effect: no activity, no row changed, no event.
 */
import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { EncryptionCodec, PLAINTEXT_REFUSED, parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { TASK_QUEUES } from '../../services/contracts/temporal.ts';
import { api, eventually, stack } from '../support/api.ts';
import { newMember } from '../support/library.ts';

const run = promisify(execFile);
const temporal = (...args: string[]) =>
  run(stack().temporalBinary, [...args, '--address', stack().temporalAddress, '--namespace', 'default']);

let raw: Client; // no codec: what the server stores
let db: pg.Pool;
beforeAll(async () => {
  raw = new Client({ connection: await Connection.connect({ address: stack().temporalAddress }) });
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await raw.connection.close();
  await db.end();
});

describe('encrypted inputs only', () => {
  it('an erasure started with a plaintext input through the temporal CLI fails its workflow task and erases nothing', async () => {
    const { token, memberId } = await newMember();
    const workflowId = `plaintext-erasure-${randomUUID()}`;
    await temporal(
      'workflow',
      'start',
      '--task-queue',
      TASK_QUEUES.sagas,
      '--type',
      'erasureWorkflow',
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify({ memberId }),
    );
    try {
      const handle = raw.workflow.getHandle(workflowId);
      // The worker picks it up and refuses the input: a failed workflow task, nothing scheduled.
      const failed = await eventually(async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        return events.find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes ?? undefined;
      }, 30_000);
      // The failure itself is encrypted like every failure a worker reports; decoded, it says why.
      const [attributes] = await new EncryptionCodec(parseCodecKeys(DEVELOPMENT_CODEC_KEYS)).decode([failed.failure!.encodedAttributes!]);
      expect(JSON.parse(Buffer.from(attributes!.data!).toString()).message).toBe(PLAINTEXT_REFUSED);
      // Give a worker time to do what it must not (the next workflow task attempts fail the same way).
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.filter((event) => event.activityTaskScheduledEventAttributes)).toEqual([]);
      expect(events.filter((event) => event.workflowTaskCompletedEventAttributes)).toEqual([]);
      expect((await handle.describe()).status.name).toBe('RUNNING'); // stuck on its first task, until an operator terminates it
      // No effect anywhere: the member can still use the account, the profile is untouched, no event was written.
      expect((await api('/members/me', { token })).status).toBe(200);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM member.outbox WHERE key = $1 AND topic LIKE '%erased%'`, [memberId]);
      expect(rows[0].n).toBe(0);
    } finally {
      await temporal('workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'test: plaintext input refused');
    }
  });
});
