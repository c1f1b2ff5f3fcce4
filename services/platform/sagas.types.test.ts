/**
 * Compile-time checks of typed saga starts and saga steps: `tsc -p .` (run by
 * `npm test` and CI) fails when a `@ts-expect-error` line below compiles.
 * The functions are never called: only their types are checked.
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { Saga } from '../../workflows/saga.ts';
import { startSaga } from './sagas.ts';

function typedStarts(client: Client) {
  const base = { workflowId: 'rent-1', sagaType: 'rent', memberId: 'm-1' };
  void startSaga(client, { ...base, workflowType: 'rentWorkflow', args: [{ rentalId: 'r-1', memberId: 'm-1', bookNo: 1 }] });
  // @ts-expect-error the rent saga's input has no `returnId`
  void startSaga(client, { ...base, workflowType: 'rentWorkflow', args: [{ returnId: 'r-1', memberId: 'm-1', bookNo: 1 }] });
  // @ts-expect-error a workflow the worker does not bundle cannot be started
  void startSaga(client, { ...base, workflowType: 'lendWorkflow', args: [] });
}

function typedSteps(saga: Saga<'addRentalItem' | 'markBookRented'>) {
  void saga.step('addRentalItem', { run: async () => 1 });
  // @ts-expect-error a step that the saga did not declare
  void saga.step('awardPoints', { run: async () => 1 });
}

describe('typed saga edges', () => {
  it('are checked by the compiler (this file compiles only while the wrong calls above are refused)', () => {
    expect(typeof typedStarts).toBe('function');
    expect(typeof typedSteps).toBe('function');
  });
});
