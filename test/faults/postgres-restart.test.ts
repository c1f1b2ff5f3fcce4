/** PostgreSQL restarts while sagas run: activities retry, nothing is lost or doubled. */
import { describe, expect, it } from 'vitest';
import { api, settledSaga } from '../support/api.ts';
import { startServer, stopServer } from '../support/control.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { newBook, newMember } from '../support/library.ts';

describe('PostgreSQL restart', () => {
  it('sagas in flight finish once the database is back', async () => {
    const members = await Promise.all(Array.from({ length: 12 }, () => newMember()));
    const books = await Promise.all(members.map(() => newBook()));
    const locations = await Promise.all(
      members.map(
        async (member, i) =>
          (await api('/rentals', { method: 'POST', token: member.token, json: { bookNo: books[i]!.bookNo } })).headers.get('location')!,
      ),
    );
    await stopServer('postgres');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await startServer('postgres');
    const sagas = await Promise.all(locations.map((location, i) => settledSaga(location, 180_000, members[i]!.token)));
    expect(sagas.map((saga) => saga.status)).toEqual(Array(12).fill('COMPLETED'));
    await expectInvariantsToHold({ memberIds: members.map((m) => m.memberId), bookNos: books.map((b) => b.bookNo) }, 90_000);
  }, 300_000);
});
