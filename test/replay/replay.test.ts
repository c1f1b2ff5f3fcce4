/**
 * Committed histories of real saga runs must replay against today's workflow
 * code. A change to a workflow's command order without `patched()` fails here.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../processes/worker.ts';

const HISTORIES = resolve(import.meta.dirname, '../histories');
const files = readdirSync(HISTORIES).filter((name) => name.endsWith('.json')).sort();
const load = (name: string) => historyFromJSON(JSON.parse(readFileSync(resolve(HISTORIES, name), 'utf8')));

describe('replay of committed histories', () => {
  it('has a completed and a compensated history of every saga, and both ends of a loan', () => {
    const sagas = ['signup', 'rent', 'return', 'clear-overdue'].flatMap((saga) => [`${saga}-completed.json`, `${saga}-compensated.json`]);
    expect(files).toEqual(expect.arrayContaining([...sagas, 'loan-returned.json', 'loan-overdue.json']));
  });

  for (const name of files) {
    it(`${name} replays without non-determinism`, async () => {
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, load(name), name.replace('.json', ''));
    });
  }

  it('catches a reordered step that is not guarded by patched()', async () => {
    const reordered = await bundleWorkflowCode({ workflowsPath: resolve(import.meta.dirname, 'reordered-signup.workflow.ts') });
    await expect(Worker.runReplayHistory({ workflowBundle: reordered }, load('signup-completed.json'))).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
