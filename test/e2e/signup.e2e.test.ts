import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, logIn, settledSaga, signUp, signupBody, stack, postConfirmedSignup, confirmSignup } from '../support/api.ts';
import { everyText } from '../support/temporal.ts';

let db: pg.Pool;
let temporal: Client;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
  temporal = new Client({ connection: await Connection.connect({ address: stack().temporalAddress }) });
});
afterAll(async () => {
  await db.end();
  await temporal.connection.close();
});

describe('signup over HTTP against the real stack', () => {
  it('a USER signup completes; login and /members/me work', async () => {
    const { body, accepted, saga } = await signUp();
    expect(accepted.body).toEqual({ id: expect.any(String), status: 'RUNNING' });
    expect(accepted.headers.get('location')).toBe(`/signups/${accepted.body.id}`);
    expect(saga.status).toBe('COMPLETED');
    expect(saga.steps.map((step: { status: string }) => step.status)).toEqual(Array(6).fill('COMPLETED'));
    expect(saga.memberId).toMatch(/^[0-9a-f-]{36}$/);

    const token = await logIn(body.email, body.password);
    const me = await api('/members/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      memberId: saga.memberId,
      email: body.email,
      nickname: body.nickname,
      role: 'USER',
      points: 0,
      favoriteStyles: body.favoriteStyles,
    });
  });

  it("a PARTNER signup's summary appears through Kafka", async () => {
    const { body, saga } = await signUp({ role: 'PARTNER' });
    expect(saga.status).toBe('COMPLETED');
    const token = await logIn(body.email, body.password);
    // A minute: on the cluster profile the consumer groups may still be forming across three brokers when this runs first.
    const summary = await eventually(async () => {
      const response = await api(`/partners/${saga.memberId}/summary`, { token });
      return response.status === 200 ? response.body : undefined;
    }, 60_000);
    expect(summary).toMatchObject({ memberId: saga.memberId, rentCount: 0, returnCount: 0 });
  });

  it('a duplicate nickname is compensated, the credentials removed, and the email can sign up again', async () => {
    const first = await signUp();
    const clash = signupBody({ nickname: first.body.nickname });
    const { saga } = await postConfirmedSignup(clash);
    expect(saga.status).toBe('COMPENSATED');
    expect(saga.failure).toMatchObject({ step: 'createProfile', code: 'NICKNAME_TAKEN' });
    expect(saga.steps).toEqual([
      { name: 'confirmAddress', status: 'COMPENSATED' },
      { name: 'createCredentials', status: 'COMPENSATED' },
      { name: 'createProfile', status: 'FAILED' },
      { name: 'openRentalCard', status: 'PENDING' },
      { name: 'activateProfile', status: 'PENDING' },
      { name: 'activateCredentials', status: 'PENDING' },
    ]);
    const credentials = await db.query('SELECT 1 FROM auth.credential WHERE email = $1', [clash.email]);
    expect(credentials.rowCount).toBe(0);
    const staged = await db.query('SELECT 1 FROM auth.signup_application WHERE email = $1', [clash.email]);
    expect(staged.rowCount).toBe(0);
    expect((await api('/auth/login', { method: 'POST', json: { email: clash.email, password: clash.password } })).status).toBe(401);

    const retry = await signUp({ ...clash, nickname: `${clash.nickname}_2` });
    expect(retry.saga.status).toBe('COMPLETED');
  });

  it('the same Idempotency-Key returns the same saga', async () => {
    const body = signupBody();
    const key = `key-${body.nickname}`;
    const first = await api('/signups', { method: 'POST', json: body, headers: { 'idempotency-key': key } });
    const second = await api('/signups', { method: 'POST', json: body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    await confirmSignup(body.email, first.body.id);
    expect((await settledSaga(`/signups/${first.body.id}`)).status).toBe('COMPLETED');
    const third = await api('/signups', { method: 'POST', json: body, headers: { 'idempotency-key': key } });
    expect(third.body.id).toBe(first.body.id);
    expect((await db.query('SELECT count(*)::int AS n FROM auth.credential WHERE email = $1', [body.email])).rows[0].n).toBe(1);
    expect((await db.query('SELECT count(*)::int AS n FROM auth.signup_application WHERE signup_id = $1', [first.body.id])).rows[0].n).toBe(
      0,
    );
  });

  it('no password, hash, email or phone appears in the workflow history or the events', async () => {
    const { body, accepted, saga } = await signUp({ role: 'PARTNER' });
    const decoded = everyText(await temporal.workflow.getHandle(`signup-${accepted.body.id}`).fetchHistory());
    const stored = await db.query('SELECT password_hash FROM auth.credential WHERE email = $1', [body.email]);
    for (const secret of [body.password, body.email, body.phone, body.name, stored.rows[0].password_hash]) {
      expect(decoded).not.toContain(secret);
    }
    expect(decoded).toContain(saga.memberId); // the history is really decoded
    const events = await eventually(async () => {
      const result = await db.query(
        `SELECT envelope::text AS e FROM auth.outbox WHERE key = $1 UNION ALL SELECT envelope::text FROM member.outbox WHERE key = $1`,
        [saga.memberId],
      );
      return result.rowCount === 2 ? result.rows.map((row) => row.e).join('\n') : undefined;
    });
    for (const secret of [body.password, body.email, body.phone, 'scrypt$']) expect(events).not.toContain(secret);
  });

  it('rejects invalid bodies with 400 and the failing fields', async () => {
    const bad = await api('/signups', {
      method: 'POST',
      json: { ...signupBody(), email: 'not-an-email', birthDate: '1990-13-45', role: 'ADMIN', favoriteStyles: 'fantasy', extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const paths = bad.body.error.details.map((detail: { path: string }) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'birthDate', 'role', 'favoriteStyles']));

    const notJson = await api('/signups', { method: 'POST', body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('VALIDATION_FAILED');

    const badId = await api('/signups/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].path).toBe('id');
    expect((await api('/signups/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses a wrong password and a missing or forged token', async () => {
    const { body } = await signUp();
    const wrong = await api('/auth/login', { method: 'POST', json: { email: body.email, password: 'wrong-password' } });
    const unknown = await api('/auth/login', { method: 'POST', json: { email: 'nobody@example.com', password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect((await api('/members/me')).body.error.code).toBe('UNAUTHORIZED');
    expect((await api('/members/me', { token: 'a.b.c' })).status).toBe(401);
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const doc = await api('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/signups', '/signups/{id}', '/auth/login', '/members/me', '/partners/{memberId}/summary', '/health']),
    );
    expect((await api('/docs')).status).toBe(200);
  });
});
