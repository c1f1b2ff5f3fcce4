/**
 * Signup address confirmation over HTTP against the real stack: the mailed link
 * (read from Mailpit's API), wrong, repeated and late confirmations, an address
 * that has an account already (a different mail, the same public status), and
 * the token kept out of histories, events and logs.
 */
import type { Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, settledSaga, signUp, signupBody, stack } from '../support/api.ts';
import { confirmationLink, mailsTo } from '../support/mail.ts';
import { decodingClient, everyText } from '../support/temporal.ts';

let db: pg.Pool;
let temporal: Client;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
  temporal = await decodingClient();
});
afterAll(async () => {
  await db.end();
  await temporal.connection.close();
});

async function startSignup(overrides: Record<string, unknown> = {}) {
  const body = signupBody(overrides);
  const accepted = await api('/signups', { method: 'POST', json: body });
  expect(accepted.status).toBe(202);
  return { body, id: accepted.body.id as string, location: accepted.headers.get('location')! };
}

/** The public status without its id: what anyone holding a signup id sees (asked again while no worker answered the progress query in time). */
async function publicView(id: string) {
  return eventually(async () => {
    const { status, body } = await api(`/signups/${id}`);
    expect(status).toBe(200);
    const { id: _id, ...view } = body;
    return view.progressUnavailable ? undefined : view;
  }, 30_000);
}

function logText(): string {
  const dir = resolve(import.meta.dirname, '../../.data', stack().profile, 'logs');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log') && !['postgres.log', 'kafka.log', 'temporal.log', 'mailpit.log'].includes(name))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

describe('signup address confirmation', () => {
  it('waits for the mailed link; a wrong token changes nothing; the link works once; the token is nowhere but in the mail', async () => {
    const { body, id, location } = await startSignup();
    const link = await confirmationLink(body.email, id);
    expect(link.signupId).toBe(id);
    expect(link.url).toBe(`${stack().apiUrl}/signups/${id}/verify?token=${link.token}`);

    const waiting = await publicView(id);
    expect(waiting.status).toBe('RUNNING');
    expect(waiting.steps[0]).toEqual({ name: 'confirmAddress', status: 'RUNNING' });

    const wrong = await api(`/signups/${id}/verify?token=${link.token.slice(0, -2)}xx`);
    expect(wrong.status).toBe(404); // a link nobody was sent names nothing
    expect(wrong.body.error.code).toBe('VERIFICATION_TOKEN_INVALID');
    const missing = await api(`/signups/${id}/verify`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(missing.body.error.details.map((detail: { path: string }) => detail.path)).toContain('token');
    const otherSignup = await api(`/signups/00000000-0000-4000-8000-000000000000/verify?token=${link.token}`);
    expect(otherSignup.status).toBe(404);
    expect(otherSignup.body.error.code).toBe('VERIFICATION_TOKEN_INVALID');
    expect(await publicView(id)).toEqual(waiting); // nothing changed

    const confirmed = await api(link.path);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ id, status: 'CONFIRMED' });
    const saga = await settledSaga(location);
    expect(saga.status).toBe('COMPLETED');
    expect(saga.steps.map((step: { name: string }) => step.name)).toEqual([
      'confirmAddress',
      'createCredentials',
      'createProfile',
      'openRentalCard',
      'activateProfile',
      'activateCredentials',
    ]);

    const again = await api(link.path);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_CONFIRMED');
    expect((await settledSaga(location)).status).toBe('COMPLETED');

    // Only the hash is stored; the token is in no history, event or log line.
    const stored = await db.query('SELECT token_hash FROM auth.signup_verification WHERE signup_id = $1', [id]);
    expect(stored.rows[0].token_hash).toBe(createHash('sha256').update(link.token).digest('hex'));
    const history = everyText(await temporal.workflow.getHandle(`signup-${id}`).fetchHistory());
    expect(history).toContain(saga.memberId); // really decoded
    expect(history).not.toContain(link.token);
    expect(history).not.toContain(body.email);
    const events = await db.query(
      `SELECT envelope::text AS e FROM auth.outbox UNION ALL SELECT envelope::text FROM member.outbox UNION ALL SELECT envelope::text FROM rental.outbox`,
    );
    expect(events.rows.map((row) => row.e).join('\n')).not.toContain(link.token);
    expect(logText()).not.toContain(link.token);
  });

  it('an address with an account gets a mail saying so; its signup looks like any unconfirmed one, and both run out', async () => {
    const existing = await signUp();
    const taken = await startSignup({ email: existing.body.email.toUpperCase() });
    const fresh = await startSignup();

    // The first signup's link and welcome, then the "already has an account" mail (the newest).
    const mails = await eventually(async () => {
      const found = (await mailsTo(existing.body.email)).filter((mail) => /^Confirm your address/.test(mail.Subject));
      return found.length === 2 ? found : undefined;
    }, 60_000);
    const latest = mails[0];
    const latestText = (await fetch(`${stack().mailpitUrl}/api/v1/message/${latest!.ID}`).then((r) => r.json())).Text as string;
    expect(latestText).toContain('already has an account');
    expect(latestText).not.toMatch(/verify\?token=/);
    const freshLink = await confirmationLink(fresh.body.email, fresh.id);

    // Anyone holding the signup ids sees the same: waiting for a confirmation.
    expect(await publicView(taken.id)).toEqual(await publicView(fresh.id));
    expect((await publicView(taken.id)).status).toBe('RUNNING');

    const [takenEnd, freshEnd] = await Promise.all([settledSaga(taken.location, 120_000), settledSaga(fresh.location, 120_000)]);
    expect(takenEnd).toEqual({ ...freshEnd, id: taken.id });
    expect(freshEnd.status).toBe('COMPENSATED');
    expect(freshEnd.failure).toMatchObject({ step: 'confirmAddress', code: 'VERIFICATION_EXPIRED' });
    expect(JSON.stringify(takenEnd)).not.toContain('EMAIL_TAKEN');

    // Too late: refused, and nothing changes; the staged contact data is gone.
    const late = await api(freshLink.path);
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('VERIFICATION_EXPIRED');
    expect((await settledSaga(fresh.location)).status).toBe('COMPENSATED');
    const staged = await db.query('SELECT 1 FROM auth.signup_application WHERE signup_id = ANY($1::uuid[])', [[taken.id, fresh.id]]);
    expect(staged.rowCount).toBe(0);
    expect((await api('/auth/login', { method: 'POST', json: { email: fresh.body.email, password: fresh.body.password } })).status).toBe(
      401,
    );
  }, 180_000);
});
