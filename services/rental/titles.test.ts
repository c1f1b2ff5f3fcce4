import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { upcastBookChanged } from '../contracts/book-changed.ts';
import { envelope, uniqueBookNo } from '../../test/support/events.ts';
import { createDb, type Db } from '../platform/db.ts';
import { findTitle, findTitles, recordBookTitle, refuseUnrentableBook } from './titles.ts';

let db: Db;

beforeAll(() => {
  db = createDb(inject('stack').databaseUrl, 2);
});
afterAll(() => db.$disconnect());

const changed = (bookNo: number, title: string, occurredAt: string) =>
  upcastBookChanged(envelope('book.book-changed.v1', { bookNo, title, author: 'A. Author' }, { occurredAt }));
const changedV2 = (bookNo: number, title: string, occurredAt: string, change: 'CREATED' | 'UPDATED' | 'WITHDRAWN') =>
  envelope(
    'book.book-changed.v2',
    { bookNo, title, author: 'A. Author', change, status: change === 'WITHDRAWN' ? 'WITHDRAWN' : 'AVAILABLE' },
    { occurredAt },
  );

describe("rental's title cache", () => {
  it('keeps the newest title whatever order the events arrive in', async () => {
    const bookNo = uniqueBookNo();
    await recordBookTitle(db, changed(bookNo, 'Newer', '2026-02-01T00:00:00.000Z'));
    await recordBookTitle(db, changed(bookNo, 'Older', '2026-01-01T00:00:00.000Z'));
    expect(await findTitle(db, bookNo)).toBe('Newer');
    await recordBookTitle(db, changed(bookNo, 'Newest', '2026-03-01T00:00:00.000Z'));
    expect(await findTitle(db, bookNo)).toBe('Newest');
  });

  it('applies a redelivered event once', async () => {
    const bookNo = uniqueBookNo();
    const first = changed(bookNo, 'First', '2026-01-01T00:00:00.000Z');
    await recordBookTitle(db, first);
    await recordBookTitle(db, changed(bookNo, 'Second', '2026-02-01T00:00:00.000Z'));
    await recordBookTitle(db, first);
    expect(await findTitle(db, bookNo)).toBe('Second');
    const processed = await db.rentalProcessedEvent.count({ where: { eventId: first.eventId } });
    expect(processed).toBe(1);
  });

  it('finds several titles at once and leaves unknown books out', async () => {
    const [a, b, unknown] = [uniqueBookNo(), uniqueBookNo(), uniqueBookNo()];
    await recordBookTitle(db, changed(a, 'Alpha', '2026-01-01T00:00:00.000Z'));
    await recordBookTitle(db, changed(b, 'Beta', '2026-01-01T00:00:00.000Z'));
    expect(await findTitles(db, [a, b, unknown, a])).toEqual(
      new Map([
        [a, 'Alpha'],
        [b, 'Beta'],
      ]),
    );
    expect(await findTitles(db, [])).toEqual(new Map());
    expect(await findTitle(db, unknown)).toBeUndefined();
  });

  it('refuses a book it never heard of, and a withdrawn one whatever order the v1 and v2 copies arrive in', async () => {
    const [unknown, kept, withdrawn] = [uniqueBookNo(), uniqueBookNo(), uniqueBookNo()];
    await expect(refuseUnrentableBook(db, unknown)).rejects.toMatchObject({ code: 'BOOK_NOT_FOUND' });
    await recordBookTitle(db, changedV2(kept, 'Kept', '2026-01-01T00:00:00.000Z', 'CREATED'));
    await expect(refuseUnrentableBook(db, kept)).resolves.toBeUndefined();
    // The withdrawal's v2 copy first, then its v1 copy (same occurredAt), then an older edit: still withdrawn.
    await recordBookTitle(db, changedV2(withdrawn, 'Gone', '2026-02-01T00:00:00.000Z', 'WITHDRAWN'));
    await recordBookTitle(db, changed(withdrawn, 'Gone', '2026-02-01T00:00:00.000Z'));
    await recordBookTitle(db, changed(withdrawn, 'Before', '2026-01-01T00:00:00.000Z'));
    await expect(refuseUnrentableBook(db, withdrawn)).rejects.toMatchObject({ code: 'BOOK_WITHDRAWN' });
    expect(await findTitle(db, withdrawn)).toBe('Gone');
  });
});
