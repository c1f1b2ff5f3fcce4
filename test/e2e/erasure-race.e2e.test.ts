/**
 * Erasure is airtight: it closes the rental card under the lock every rent
 * takes (addRentalItem), so a rent racing an erasure either finishes first,
 * and the erasure is refused MEMBER_HOLDS_BOOKS, or is refused itself (401 at
 * the door once the sessions are gone, or CARD_CLOSED inside its saga). Never
 * both: no book is left RENTED to a member nobody can log in as. The
 * invariant checker has the last word.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, settledSaga } from '../support/api.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { asAdmin, newBook, newMember } from '../support/library.ts';
import { decodingClient } from '../support/temporal.ts';
import { startSaga } from '../../services/platform/sagas.ts';
import { rentWorkflowId } from '../../services/contracts/temporal.ts';

let temporal: Client;
beforeAll(async () => {
  temporal = await decodingClient();
});
afterAll(async () => {
  await temporal?.connection.close();
});

/** The saga's final status resource, read as an admin (the member's token may be gone by then). */
const settled = async (location: string) => settledSaga(location, 60_000, await asAdmin());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a rent racing an erasure', () => {
  it('either finishes first (erasure refused MEMBER_HOLDS_BOOKS) or is refused; never both go through', async () => {
    const pairs = 12;
    const members = await Promise.all(Array.from({ length: pairs }, () => newMember()));
    const books = await Promise.all(Array.from({ length: pairs }, () => newBook()));
    const outcomes = await Promise.all(
      members.map(async (member, index) => {
        const bookNo = books[index]!.bookNo;
        // Staggered starts (0..33 ms, either side first) so the two sagas meet at different moments.
        const skew = (index % 4) * 11;
        const [rentAnswer, eraseAnswer] = await Promise.all([
          sleep(index % 2 ? skew : 0).then(() => api('/rentals', { method: 'POST', token: member.token, json: { bookNo } })),
          sleep(index % 2 ? 0 : skew).then(() => api('/members/me', { method: 'DELETE', token: member.token })),
        ]);
        expect(eraseAnswer.status).toBe(202);
        const erasure = await settled(eraseAnswer.headers.get('location')!);
        const rent =
          rentAnswer.status === 202 ? await settled(rentAnswer.headers.get('location')!) : { status: `HTTP ${rentAnswer.status}` };
        return { member, bookNo, erasure, rent };
      }),
    );
    const seen: Record<string, number> = {};
    for (const { erasure, rent, bookNo } of outcomes) {
      const label = `erasure ${erasure.status}${erasure.failure ? ` ${erasure.failure.code}` : ''} / rent ${rent.status}${'failure' in rent && rent.failure ? ` ${rent.failure.code}` : ''}`;
      seen[label] = (seen[label] ?? 0) + 1;
      if (erasure.status === 'COMPLETED') {
        expect(rent.status, label).not.toBe('COMPLETED');
        if (rent.status === 'COMPENSATED') expect(rent.failure.code, label).toBe('CARD_CLOSED');
        else expect(rent.status, label).toBe('HTTP 401');
        expect((await api(`/books/${bookNo}`)).body.status).toBe('AVAILABLE');
      } else {
        expect(erasure.status, label).toBe('COMPENSATED');
        expect(erasure.failure, label).toMatchObject({ step: 'closeRentalCard', code: 'MEMBER_HOLDS_BOOKS' });
        expect(rent.status, label).toBe('COMPLETED');
      }
    }
    console.log(`rent vs erasure, ${pairs} races: ${JSON.stringify(seen)}`);
    await expectInvariantsToHold({ memberIds: members.map((member) => member.memberId), bookNos: books.map((book) => book.bookNo) });
  }, 240_000);

  it('a rent whose first step lands after the card was closed is refused CARD_CLOSED and leaves the book free', async () => {
    // The rent saga started before the erasure (its request passed the session check) but reaches the card after it.
    const member = await newMember();
    const { bookNo } = await newBook();
    const erased = await api('/members/me', { method: 'DELETE', token: member.token });
    expect((await settled(erased.headers.get('location')!)).status).toBe('COMPLETED');
    const rentalId = randomUUID();
    await startSaga(temporal, {
      workflowType: 'rentWorkflow',
      workflowId: rentWorkflowId(rentalId),
      args: [{ rentalId, memberId: member.memberId, bookNo }],
      sagaType: 'rent',
      memberId: member.memberId,
      bookNo,
    });
    const rent = await settled(`/rentals/${rentalId}`);
    expect(rent.status).toBe('COMPENSATED');
    expect(rent.failure).toMatchObject({ step: 'addRentalItem', code: 'CARD_CLOSED' });
    expect((await api(`/books/${bookNo}`)).body.status).toBe('AVAILABLE');
    await expectInvariantsToHold({ memberIds: [member.memberId], bookNos: [bookNo] });
  });
});
