/**
 * One service's data in a database of its own, by changing URLs only: a new
 * database is migrated and given the book and relay roles (the roles step of
 * `npm run db:migrate`), a second api process gets BOOK_DATABASE_URL on it and
 * the relay RELAY_BOOK_OUTBOX_URL. A book created through that api lives only
 * in the new database, and its book-changed event still reaches Kafka and
 * rental's title cache in the stack's database.
 *
 * Among the fault suites because it restarts the stack's relay with another
 * configuration (these run one file at a time, after the rest): while it runs,
 * book events written in the stack's database wait for the relay's restart.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServiceRoles } from '../../scripts/db/roles.ts';
import { api, eventually, stack } from '../support/api.ts';
import { startProcess, startSecondApi, stopSecondApi } from '../support/control.ts';
import { uniqueBookNo } from '../support/events.ts';
import { readTopic } from '../support/kafka.ts';
import { asAdmin } from '../support/library.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.ts';

let books: ScratchDatabase;
let main: pg.Pool;
let apart: pg.Pool;
/** The stack's URL of a user, moved to the new database (same server, same role and password). */
const onBooksDatabase = (key: string) => {
  const url = new URL(stack().serviceDatabaseUrls[key]!);
  url.pathname = new URL(books.url).pathname;
  return url.toString();
};

beforeAll(async () => {
  main = new pg.Pool({ connectionString: stack().databaseUrl, max: 1 });
  books = await createScratchDatabase(stack().databaseUrl); // CREATE DATABASE + every committed migration
  apart = new pg.Pool({ connectionString: books.url, max: 1 });
  // Book numbers of the new database must not meet the stack's (rental's title cache is keyed by them).
  await apart.query(`SELECT setval(pg_get_serial_sequence('book.book', 'book_no'), $1)`, [uniqueBookNo()]);
}, 180_000);

afterAll(async () => {
  await stopSecondApi().catch(() => {});
  await startProcess('relay'); // the stack's relay, with the stack's configuration
  await apart?.end();
  await books?.drop();
  await main?.end();
}, 180_000);

describe('a database per service changes only URLs', () => {
  it("book's data in a database of its own: its events still reach Kafka and rental", async () => {
    const moved = { BOOK_DATABASE_URL: onBooksDatabase('BOOK_DATABASE_URL'), RELAY_BOOK_OUTBOX_URL: onBooksDatabase('RELAY_DATABASE_URL') };
    // The roles step of `npm run db:migrate` run on the new database: it makes (or updates) svc_book and svc_relay there.
    expect((await ensureServiceRoles(books.url, moved)).sort()).toEqual(['svc_book', 'svc_relay']);
    await startProcess('relay', moved);
    await startSecondApi(moved);

    const title = `Apart ${Date.now()}`;
    const created = await api('/books', {
      method: 'POST',
      token: await asAdmin(),
      json: { title, author: 'A. Part' },
      baseUrl: stack().secondApiUrl,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const bookNo = created.body.bookNo as number;

    // Only the new database holds the book; the stack's book schema never saw it.
    expect((await apart.query('SELECT title FROM book.book WHERE book_no = $1', [bookNo])).rows).toEqual([{ title }]);
    expect((await main.query('SELECT 1 FROM book.book WHERE book_no = $1 OR title = $2', [bookNo, title])).rowCount).toBe(0);
    expect((await main.query(`SELECT 1 FROM book.outbox WHERE envelope->'payload'->>'title' = $1`, [title])).rowCount).toBe(0);
    expect((await api(`/books/${bookNo}`, { baseUrl: stack().secondApiUrl })).status).toBe(200);
    expect((await api(`/books/${bookNo}`)).status).toBe(404); // the stack's api reads the stack's database

    // The relay drained the new database's book outbox to Kafka...
    await eventually(
      async () =>
        (await apart.query("SELECT 1 FROM book.outbox WHERE published_at IS NOT NULL AND envelope->'payload'->>'title' = $1", [title]))
          .rowCount
          ? true
          : undefined,
      60_000,
    );
    // The topic also holds the poison suite's unparseable messages: those are skipped.
    const published = (await readTopic(stack().kafkaBrokers, 'book.book-changed.v2'))
      .flatMap((message) => {
        try {
          return [JSON.parse(message.value ?? '') as { payload?: { bookNo?: number; title?: string } }];
        } catch {
          return [];
        }
      })
      .filter((event) => event.payload?.bookNo === bookNo);
    expect(published.map((event) => event.payload?.title)).toEqual([title]);
    // ...and rental's title cache, in the stack's database, learnt the book from it.
    const cached = await eventually(async () => {
      const { rows } = await main.query<{ title: string }>('SELECT title FROM rental.book_title WHERE book_no = $1', [bookNo]);
      return rows[0];
    }, 60_000);
    expect(cached.title).toBe(title);
  }, 300_000);
});
