/**
 * An undo that keeps failing leaves the saga FAILED and waiting, visible in
 * Temporal (SagaStatus = COMPENSATION_FAILED) and through the API, until an
 * operator retries it or records it as done by hand. A cancelled saga still
 * runs its compensations.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCompensationUpdate } from '../../services/contracts/temporal.ts';
import { SEARCH, rentWorkflowId } from '../../services/contracts/temporal.ts';
import { api, eventually, settledSaga } from '../support/api.ts';
import { setFaults } from '../support/faults.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { book, me, newBook, newMember } from '../support/library.ts';
import { decodingClient } from '../support/temporal.ts';

let temporal: Client;
beforeAll(async () => {
  temporal = await decodingClient();
});
afterAll(async () => {
  setFaults([]);
  await temporal.connection.close();
});

async function startRent(token: string, bookNo: number): Promise<string> {
  const accepted = await api('/rentals', { method: 'POST', token, json: { bookNo } });
  return accepted.body.id;
}

/** A rent whose awardPoints refuses and whose book undo (markBookAvailable) then fails on every attempt. */
async function rentWithFailingUndo(member: { memberId: string; token: string }, bookNo: number): Promise<string> {
  setFaults([
    { activity: 'awardPoints', inputContains: member.memberId },
    { activity: 'markBookAvailable', inputContains: `"bookNo":${bookNo},` },
  ]);
  return startRent(member.token, bookNo);
}

async function waitForCompensationFailure(rentalId: string, token: string) {
  return eventually(async () => {
    const { body } = await api(`/rentals/${rentalId}`, { token });
    return body.status === 'FAILED' ? body : undefined;
  }, 30_000);
}

describe('a compensation that cannot succeed', () => {
  it('waits for an operator, shows FAILED, and finishes after a retry', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    const rentalId = await rentWithFailingUndo(member, bookNo);
    const failed = await waitForCompensationFailure(rentalId, member.token);
    expect(failed.compensationFailure).toMatchObject({ step: 'markBookRented', code: 'INJECTED_FAULT' });
    expect(failed.steps.find((step: { name: string }) => step.name === 'markBookRented').status).toBe('COMPENSATION_FAILED');
    const handle = temporal.workflow.getHandle(rentWorkflowId(rentalId));
    expect((await handle.describe()).typedSearchAttributes.get(SEARCH.sagaStatus)).toBe('COMPENSATION_FAILED');
    expect((await handle.describe()).status.name).toBe('RUNNING'); // waiting, not finished
    expect((await book(bookNo)).status).toBe('RENTED'); // the undo really did not happen

    setFaults([]); // the operator fixes the cause ...
    const outcome = await handle.executeUpdate(resolveCompensationUpdate, { args: [{ action: 'retry' }] });
    expect(outcome.status).toBe('COMPENSATED');
    expect((await settledSaga(`/rentals/${rentalId}`, 30_000, member.token)).status).toBe('COMPENSATED');
    expect((await book(bookNo)).status).toBe('AVAILABLE');
    expect((await me(member.token)).points).toBe(0);
    await expectInvariantsToHold({ memberIds: [member.memberId], bookNos: [bookNo] });
  });

  it('can be recorded as undone by hand, which the API reports as FAILED', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    const rentalId = await rentWithFailingUndo(member, bookNo);
    await waitForCompensationFailure(rentalId, member.token);
    const handle = temporal.workflow.getHandle(rentWorkflowId(rentalId));
    const outcome = await handle.executeUpdate(resolveCompensationUpdate, { args: [{ action: 'resolve', note: 'book freed by hand' }] });
    expect(outcome.status).toBe('RESOLVED_BY_OPERATOR');
    const final = await settledSaga(`/rentals/${rentalId}`, 30_000, member.token);
    expect(final.status).toBe('FAILED');
    expect(final.steps.map((step: { status: string }) => step.status)).toEqual([
      'COMPENSATED',
      'RESOLVED_BY_OPERATOR',
      'FAILED',
      'PENDING',
      'PENDING',
    ]);
    await expect(handle.executeUpdate(resolveCompensationUpdate, { args: [{ action: 'retry' }] })).rejects.toThrow();
    setFaults([]);
  });

  it('still compensates a saga that is cancelled mid-step', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    setFaults([{ activity: 'awardPoints', inputContains: member.memberId, delayMs: 3_000, fail: false }]);
    const rentalId = await startRent(member.token, bookNo);
    await eventually(async () => ((await book(bookNo)).status === 'RENTED' ? true : undefined));
    await temporal.workflow.getHandle(rentWorkflowId(rentalId)).cancel();
    const saga = await settledSaga(`/rentals/${rentalId}`, 30_000, member.token);
    expect(saga.status).toBe('COMPENSATED');
    expect(saga.failure.code).toBe('CANCELLED');
    setFaults([]);
    await eventually(async () => ((await book(bookNo)).status === 'AVAILABLE' ? true : undefined));
    await expectInvariantsToHold({ memberIds: [member.memberId], bookNos: [bookNo] });
  });
});
