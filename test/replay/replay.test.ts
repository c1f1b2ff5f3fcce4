/**
 * Committed histories of real saga runs must replay against today's workflow
 * code. A change to a workflow's command order without `patched()` fails here.
 * They were recorded encrypted with the development key (public, so they can be
 * committed); plaintext/ keeps one from before encryption, which must replay too.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../processes/worker.ts';
import { DEVELOPMENT_CODEC_KEYS } from '../../services/platform/config.ts';
import { EncryptionCodec, PLAINTEXT_REFUSED, isEncrypted, parseCodecKeys } from '../../services/platform/payload-codec.ts';
import { workerSinks } from '../../services/platform/worker-observability.ts';

const HISTORIES = resolve(import.meta.dirname, '../histories');
const files = readdirSync(HISTORIES)
  .filter((name) => name.endsWith('.json'))
  .sort();
const load = (name: string) => historyFromJSON(JSON.parse(readFileSync(resolve(HISTORIES, name), 'utf8')));
// Replays let plaintext through (histories from before encryption); the workers refuse it (payload-codec.ts).
const dataConverter = { payloadCodecs: [new EncryptionCodec(parseCodecKeys(DEVELOPMENT_CODEC_KEYS))] };
const workersConverter = { payloadCodecs: [new EncryptionCodec(parseCodecKeys(DEVELOPMENT_CODEC_KEYS), { plaintext: 'refuse' })] };
// The sinks the workflows call (tracing, saga metrics); replay calls none of them, but a worker without them logs errors.
const sinks = workerSinks();

describe('replay of committed histories', () => {
  it('has a completed and a compensated history of every saga, and both ends of a loan', () => {
    const sagas = ['signup', 'rent', 'return', 'clear-overdue', 'settle-fee', 'erasure'].flatMap((saga) => [
      `${saga}-completed.json`,
      `${saga}-compensated.json`,
    ]);
    expect(files).toEqual(expect.arrayContaining([...sagas, 'loan-returned.json', 'loan-overdue.json']));
    // Recorded after address confirmation and due-soon reminders (patched()); the ones above are from before.
    expect(files).toEqual(
      expect.arrayContaining([
        'signup-confirmed.json',
        'signup-confirmed-compensated.json',
        'signup-expired.json',
        'loan-reminded-overdue.json',
      ]),
    );
  });

  // Both bundles a worker may run: with workflow spans (spans exported) and with bare trace propagation.
  for (const workflowSpans of [false, true]) {
    for (const name of files) {
      it(`${name} replays without non-determinism (${workflowSpans ? 'workflow spans' : 'trace propagation only'})`, async () => {
        const bundle = await workflowBundle({ workflowSpans });
        // Through the workers' own codec: everything the processes recorded is encrypted, nothing is refused.
        await Worker.runReplayHistory(
          { workflowBundle: bundle, dataConverter: workersConverter, sinks },
          load(name),
          name.replace('.json', ''),
        );
      });
    }
  }

  it('holds erasures of both orders, so both branches of patched(erasure-closes-card) replay', () => {
    const activities = (name: string) =>
      load(name).events!.flatMap((event) =>
        event.activityTaskScheduledEventAttributes ? [event.activityTaskScheduledEventAttributes.activityType!.name] : [],
      );
    expect(activities('erasure-completed-before-card-closing.json')).toEqual(['checkErasable', 'eraseProfile', 'eraseCredentials']);
    expect(activities('erasure-completed.json')).toEqual(['closeCardForErasure', 'eraseCredentials', 'eraseProfile']);
    expect(activities('erasure-compensated.json')).toEqual(['closeCardForErasure']);
  });

  it('the histories are encrypted (recorded through the payload codec)', () => {
    for (const name of files) {
      const input = load(name).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      expect(isEncrypted(input), name).toBe(true);
    }
  });

  it('a history recorded before encryption still replays with the codec (plaintext payloads pass through)', async () => {
    const plaintext = load('plaintext/signup-completed.json');
    expect(isEncrypted(plaintext.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!)).toBe(false);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter, sinks }, plaintext, 'signup-plaintext');
  });

  it("the workers' codec refuses that plaintext history: only a replay lets plaintext through", async () => {
    const plaintext = load('plaintext/signup-completed.json');
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: workersConverter, sinks },
        plaintext,
        'signup-plaintext',
      ),
    ).rejects.toThrow(PLAINTEXT_REFUSED.slice(0, 40));
  });

  it('an encrypted history does not replay without the key', async () => {
    const foreign = { payloadCodecs: [new EncryptionCodec(parseCodecKeys(`other:${Buffer.alloc(32, 7).toString('base64')}`))] };
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: foreign, sinks }, load('signup-completed.json')),
    ).rejects.toThrow(
      /key id \\?"dev\\?": TEMPORAL_CODEC_KEYS has only other/, // the worker reports which key is missing
    );
  });

  it('catches a reordered step that is not guarded by patched()', async () => {
    const reordered = await bundleWorkflowCode({ workflowsPath: resolve(import.meta.dirname, 'reordered-signup.workflow.ts') });
    await expect(
      Worker.runReplayHistory({ workflowBundle: reordered, dataConverter, sinks }, load('signup-completed.json')),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
