/**
 * Erasure: a saga removes the credentials, anonymises the profile, and an
 * event makes the read models forget the member; afterwards no table of any
 * service holds the member's email, name, phone or nickname.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, logIn, settledSaga, signUp, stack } from '../support/api.ts';
import { asAdmin, giveBack, newBook, newMember, rent } from '../support/library.ts';

const SCHEMAS = ['auth', 'member', 'book', 'rental', 'partner', 'bestbook'];
let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await db.end();
});

/** Every table of every service whose row text contains the value. */
async function tablesContaining(value: string): Promise<string[]> {
  const { rows: tables } = await db.query(
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`,
    [SCHEMAS],
  );
  const hits: string[] = [];
  for (const { table_schema, table_name } of tables) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM "${table_schema}"."${table_name}" t WHERE t::text ILIKE '%' || $1 || '%'`,
      [value],
    );
    if (rows[0].n > 0) hits.push(`${table_schema}.${table_name}`);
  }
  return hits;
}

async function erase(path: string, token: string) {
  const accepted = await api(path, { method: 'DELETE', token });
  expect(accepted.status).toBe(202);
  // Polled as an admin: once the erasure passes its credentials step, the member's own token answers 401.
  return settledSaga(accepted.headers.get('location')!, 30_000, await asAdmin());
}

describe('erasure', () => {
  it('leaves nothing personal in any service or read model', async () => {
    const { body, saga: signup } = await signUp({ role: 'PARTNER', name: 'Erin Erasable', phone: '+44 20 7946 0958' });
    const memberId = signup.memberId as string;
    const token = await logIn(body.email, body.password);
    const { bookNo } = await newBook();
    expect((await rent(token, bookNo)).status).toBe('COMPLETED');
    expect((await giveBack(token, bookNo)).status).toBe('COMPLETED');
    await eventually(async () => ((await api('/members/me/history', { token })).body.length === 1 ? true : undefined));
    await eventually(async () => ((await api(`/partners/${memberId}/summary`, { token })).status === 200 ? true : undefined));
    expect(await tablesContaining(body.email)).toEqual(['auth.credential']); // the scan does find what is there

    const saga = await erase('/members/me', token);
    expect(saga.status).toBe('COMPLETED');
    expect((await api('/auth/login', { method: 'POST', json: { email: body.email, password: body.password } })).status).toBe(401);
    expect((await api('/members/me', { token })).status).toBe(401); // its sessions ended with the credentials
    await eventually(async () =>
      (await db.query('SELECT 1 FROM member.rental_history WHERE member_id = $1', [memberId])).rowCount === 0 ? true : undefined,
    );
    await eventually(async () =>
      (await db.query('SELECT 1 FROM partner.partner_summary WHERE member_id = $1', [memberId])).rowCount === 0 ? true : undefined,
    );
    for (const personal of [body.email, body.name, body.phone, body.nickname]) {
      expect(await tablesContaining(personal), personal).toEqual([]);
    }
    // The erasure is a column of the profile, not a nickname standing for it.
    const { rows: profile } = await db.query('SELECT nickname, erased_at, active FROM member.profile WHERE member_id = $1', [memberId]);
    expect(profile).toEqual([{ nickname: null, erased_at: expect.any(Date), active: false }]);
    // Erasing again finds the same, finished saga, and says so.
    const again = await api(`/members/${memberId}`, { method: 'DELETE', token: await asAdmin() });
    expect(again.status).toBe(202);
    expect((await settledSaga(again.headers.get('location')!, 30_000, await asAdmin())).status).toBe('COMPLETED');
  });

  it('is refused while the member holds a book', async () => {
    const member = await newMember();
    const { bookNo } = await newBook();
    expect((await rent(member.token, bookNo)).status).toBe('COMPLETED');
    const saga = await erase('/members/me', member.token);
    expect(saga.status).toBe('COMPENSATED');
    expect(saga.failure).toMatchObject({ step: 'closeRentalCard', code: 'MEMBER_HOLDS_BOOKS' });
    expect((await api('/members/me', { token: member.token })).status).toBe(200);

    // Once the book is back, asking again starts a new erasure, which goes through.
    expect((await giveBack(member.token, bookNo)).status).toBe('COMPLETED');
    const again = await erase('/members/me', member.token);
    expect(again.status).toBe('COMPLETED');
    expect((await api('/members/me', { token: member.token })).status).toBe(401);
  });

  it('lets an admin erase a member, and no member erase another', async () => {
    const target = await newMember();
    const other = await newMember();
    expect((await api(`/members/${target.memberId}`, { method: 'DELETE', token: other.token })).status).toBe(403);
    const saga = await erase(`/members/${target.memberId}`, await asAdmin());
    expect(saga.status).toBe('COMPLETED');
    expect((await api(`/erasures/${target.memberId}`, { token: other.token })).status).toBe(404);
  });
});
