/**
 * The book life cycle over HTTP and Kafka: withdrawal (refused while out, final,
 * refused twice), book.book-changed.v2 beside v1 (dual publishing), the rental
 * title cache and best books following it, the paged catalog search, and the
 * refusals rental decides before any saga.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, parseEnvelope } from '../../services/contracts/events.ts';
import { api, eventually, settledSaga, stack } from '../support/api.ts';
import { uniqueBookNo } from '../support/events.ts';
import { readTopic } from '../support/kafka.ts';
import { asAdmin, book, giveBack, newBook, newMember, rent } from '../support/library.ts';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await db.end();
});

const withdraw = async (bookNo: number, token?: string) => api(`/books/${bookNo}`, { method: 'DELETE', token: token ?? (await asAdmin()) });

describe('withdrawing a book', () => {
  it('is refused while the book is out, then withdraws it for good; twice is refused and changes nothing', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
    const whileOut = await withdraw(bookNo);
    expect(whileOut.status).toBe(409);
    expect(whileOut.body.error.code).toBe('BOOK_RENTED');
    expect((await book(bookNo)).status).toBe('RENTED');

    expect((await giveBack(member.token, bookNo)).status).toBe('COMPLETED');
    const withdrawn = await withdraw(bookNo);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ bookNo, status: 'WITHDRAWN' });

    const outboxBefore = (await db.query('SELECT count(*)::int AS n FROM book.outbox WHERE key = $1', [String(bookNo)])).rows[0].n;
    const twice = await withdraw(bookNo);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('BOOK_WITHDRAWN');
    const edit = await api(`/books/${bookNo}`, { method: 'PATCH', token: await asAdmin(), json: { title: 'Back again?' } });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('BOOK_WITHDRAWN');
    expect((await db.query('SELECT count(*)::int AS n FROM book.outbox WHERE key = $1', [String(bookNo)])).rows[0].n).toBe(outboxBefore);
    expect((await book(bookNo)).status).toBe('WITHDRAWN');

    // Rental learns the withdrawal from book.book-changed.v2 and refuses at once, with no saga.
    const refused = await eventually(async () => {
      const answer = await api('/rentals', { method: 'POST', token: member.token, json: { bookNo } });
      return answer.status === 409 ? answer : undefined;
    });
    expect(refused.body.error.code).toBe('BOOK_WITHDRAWN');
    expect(refused.headers.get('location')).toBeNull();
  });

  it('refuses a withdrawn book in the saga too, when rental has not heard of the withdrawal yet (the book service decides)', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    // Withdraw and rent at once: whichever of the cache and the saga sees it first refuses it.
    const [withdrawn, rented] = await Promise.all([
      withdraw(bookNo),
      api('/rentals', { method: 'POST', token: member.token, json: { bookNo } }),
    ]);
    expect(withdrawn.status === 200 || withdrawn.body.error.code === 'BOOK_RENTED').toBe(true);
    if (withdrawn.status === 200 && rented.status === 202) {
      const saga = await settledSaga(rented.headers.get('location')!, 60_000, member.token);
      expect(saga.status).toBe('COMPENSATED');
      expect(saga.failure).toMatchObject({ step: 'markBookRented', code: 'BOOK_WITHDRAWN' });
    }
    expect(['WITHDRAWN', 'RENTED']).toContain((await book(bookNo)).status);
  });

  it('answers 404 for a book that does not exist, 403 for a member, 401 for nobody', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    expect((await withdraw(999_999_999)).status).toBe(404);
    expect((await withdraw(bookNo, member.token)).status).toBe(403);
    expect((await api(`/books/${bookNo}`, { method: 'DELETE' })).status).toBe(401);
    const bad = await withdraw(0);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('bookNo');
    expect((await book(bookNo)).status).toBe('AVAILABLE');
  });
});

describe('book.book-changed versions', () => {
  it('publishes every change as v2 with its change type and status, and as v1 unchanged for v1 consumers', async () => {
    const admin = await asAdmin();
    const { bookNo } = await newBook('Versioned');
    await api(`/books/${bookNo}`, { method: 'PATCH', token: admin, json: { title: 'Versioned, 2nd ed.' } });
    expect((await withdraw(bookNo)).status).toBe(200);
    const ofBook = async (topic: 'book.book-changed.v1' | 'book.book-changed.v2') =>
      eventually(async () => {
        const events = (await readTopic(stack().kafkaBrokers, topic)).filter((message) => message.key === String(bookNo));
        return events.length === 3 ? events : undefined;
      }, 30_000);
    const v2 = (await ofBook('book.book-changed.v2')).map((message) => parseEnvelope('book.book-changed.v2', message.value!));
    expect(
      v2.map((parsed) =>
        parsed.ok ? [parsed.event.payload.change, parsed.event.payload.status, parsed.event.payload.title] : parsed.reason,
      ),
    ).toEqual([
      ['CREATED', 'AVAILABLE', 'Versioned'],
      ['UPDATED', 'AVAILABLE', 'Versioned, 2nd ed.'],
      ['WITHDRAWN', 'WITHDRAWN', 'Versioned, 2nd ed.'],
    ]);
    // A consumer still on v1 parses every copy with the v1 schema and finds exactly the v1 fields.
    const v1 = (await ofBook('book.book-changed.v1')).map((message) => parseEnvelope('book.book-changed.v1', message.value!));
    expect(v1.every((parsed) => parsed.ok)).toBe(true);
    expect(v1.map((parsed) => (parsed.ok ? Object.keys(parsed.event.payload).sort() : []))).toEqual(
      Array(3).fill(Object.keys(TOPICS['book.book-changed.v1'].shape).sort()),
    );
    expect(v1.map((parsed) => (parsed.ok ? parsed.event.payload.title : ''))).toEqual([
      'Versioned',
      'Versioned, 2nd ed.',
      'Versioned, 2nd ed.',
    ]);
    // Both copies of one change carry the same occurredAt: consumers reading both apply it once in effect.
    const occurred = (list: ({ ok: true; event: { occurredAt: string } } | { ok: false })[]) =>
      list.map((parsed) => (parsed.ok ? parsed.event.occurredAt : ''));
    expect(occurred(v1)).toEqual(occurred(v2));
  });

  it('takes a withdrawn book out of the best books', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    // The list shows 100 at most, and a stack that ran the suite before holds many rented books: a new book
    // (the highest number, last among equal counts) gets into it by being rented once more than the 100th.
    const board: { rentCount: number }[] = (await api('/books/best?limit=100')).body;
    const rents = board.length < 100 ? 1 : board.at(-1)!.rentCount + 1;
    for (let i = 0; i < rents; i++) {
      expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
      expect((await giveBack(member.token, bookNo)).status).toBe('COMPLETED');
    }
    await eventually(
      async () =>
        (await api('/books/best?limit=100')).body.some((entry: { bookNo: number }) => entry.bookNo === bookNo) ? true : undefined,
      15_000,
    );
    expect((await withdraw(bookNo)).status).toBe(200);
    await eventually(
      async () =>
        (await api('/books/best?limit=100')).body.some((entry: { bookNo: number }) => entry.bookNo === bookNo) ? undefined : true,
      15_000,
    );
  });
});

describe('the catalog, a page at a time', () => {
  it('searches title or author in any case, filters by status and walks every page with the cursor', async () => {
    const admin = await asAdmin();
    const tag = randomUUID().slice(0, 8);
    const created: number[] = [];
    for (let i = 0; i < 5; i++) {
      const json =
        i % 2 === 0
          ? { title: `Searchable ${tag} ${i}`, author: 'Someone' }
          : { title: `Other ${i}`, author: `Author ${tag.toUpperCase()}` };
      created.push((await api('/books', { method: 'POST', token: admin, json })).body.bookNo);
    }
    expect((await withdraw(created[4]!)).status).toBe(200);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { bookNo: number }[]; nextCursor: string | null } } = await api(
        `/books?q=${tag.toUpperCase()}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item) => item.bookNo));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(created);
    expect(pages).toBe(3);

    const available = await api(`/books?q=${tag}&status=AVAILABLE&limit=100`);
    expect(available.body.items.map((item: { bookNo: number }) => item.bookNo)).toEqual(created.slice(0, 4));
    expect(available.body.nextCursor).toBeNull();
    const gone = await api(`/books?q=${tag}&status=WITHDRAWN`);
    expect(gone.body.items).toEqual([expect.objectContaining({ bookNo: created[4], status: 'WITHDRAWN' })]);
  });

  it('refuses a bad limit, status or cursor with the fields that failed', async () => {
    for (const [query, path] of [
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['status=LOST', 'status'],
      ['cursor=not%20a%20cursor', 'cursor'],
      ['q=', 'q'],
    ]) {
      const answer = await api(`/books?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(
        answer.body.error.details.map((detail: { path: string }) => detail.path),
        query,
      ).toContain(path);
    }
    // base64url text that is no cursor this list gave out names no page: 404.
    for (const cursor of ['not-a-cursor', Buffer.from('{"after":-1}').toString('base64url')]) {
      const answer = await api(`/books?cursor=${cursor}`);
      expect(answer.status, cursor).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
    }
  });
});

describe('refusals decided before any saga', () => {
  it('answers 404 BOOK_NOT_FOUND at once for a book rental has never heard of, and starts no saga', async () => {
    const member = await newMember();
    const bookNo = uniqueBookNo();
    const answer = await api('/rentals', { method: 'POST', token: member.token, json: { bookNo } });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 'BOOK_NOT_FOUND' });
    expect(answer.headers.get('location')).toBeNull();
    const sagas = await api(`/members/me/sagas?type=rent`, { token: member.token });
    expect(sagas.body.items).toEqual([]);
  });
});
