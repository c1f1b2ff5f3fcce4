/** Shortcuts for suites that rent and return: an admin, fresh members, books, sagas. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { api, eventually, logIn, settledSaga, signUp, stack } from './api.ts';

let adminToken: Promise<string> | undefined;
export function asAdmin(): Promise<string> {
  adminToken ??= logIn(process.env.ADMIN_EMAIL ?? 'admin@library.local', process.env.ADMIN_PASSWORD ?? 'admin-password');
  return adminToken;
}

export async function newMember(overrides: Record<string, unknown> = {}) {
  const { body, saga } = await signUp(overrides);
  if (saga.status !== 'COMPLETED') throw new Error(`signup ended ${saga.status}`);
  return { token: await logIn(body.email, body.password), memberId: saga.memberId as string };
}

let pool: pg.Pool | undefined;
/** The test stack's database, for waiting on read models (one small pool per test file, closed when idle). */
function database(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool({ connectionString: stack().databaseUrl, max: 2, allowExitOnIdle: true });
    // Fault suites crash PostgreSQL: an idle connection it drops is replaced at the next query, not an error of the test.
    pool.on('error', () => {});
  }
  return pool;
}

/**
 * Waits until rental's copy of the catalog knows the book: a rent of a book rental
 * has never heard of is refused at once (404 BOOK_NOT_FOUND), and book-changed
 * travels through Kafka first.
 */
export async function rentalKnowsBook(bookNo: number, timeoutMs = 15_000): Promise<void> {
  await eventually(
    async () => ((await database().query('SELECT 1 FROM rental.book_title WHERE book_no = $1', [bookNo])).rowCount ? true : undefined),
    timeoutMs,
  );
}

/** A new book in the catalog, known to rental (so it can be rented at once). */
export async function newBook(title = `Book ${randomUUID().slice(0, 8)}`): Promise<{ bookNo: number; title: string }> {
  const { status, body } = await api('/books', { method: 'POST', token: await asAdmin(), json: { title, author: 'A. Author' } });
  if (status !== 201) throw new Error(`POST /books answered ${status}: ${JSON.stringify(body)}`);
  await rentalKnowsBook(body.bookNo);
  return body;
}

/** Starts a saga (rent, return, clear) and waits for its end. */
export async function runSaga(path: string, token: string, json: unknown = {}) {
  const accepted = await api(path, { method: 'POST', token, json });
  if (accepted.status !== 202) throw new Error(`POST ${path} answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  return settledSaga(accepted.headers.get('location')!, 60_000, token).then((saga) => ({ ...saga, id: accepted.body.id as string }));
}

export const rent = (token: string, bookNo: number) => runSaga('/rentals', token, { bookNo });
export const giveBack = (token: string, bookNo: number) => runSaga('/returns', token, { bookNo });
export const clearOverdue = (token: string) => runSaga('/members/me/rental-card/clear-overdue', token);

export async function me(token: string) {
  return (await api('/members/me', { token })).body;
}

export async function card(token: string) {
  return (await api('/members/me/rental-card', { token })).body;
}

export async function book(bookNo: number) {
  return (await api(`/books/${bookNo}`)).body;
}
