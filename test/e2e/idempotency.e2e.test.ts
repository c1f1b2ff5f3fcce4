/**
 * Idempotency-Key: scoped per caller (a member's own keys; for an anonymous
 * signup, the email it signs up) and bound to the body: the same key with the
 * same body returns the same saga with its current status, with another body
 * 422 IDEMPOTENCY_KEY_REUSED and no second saga.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, confirmSignup, settledSaga, signupBody } from '../support/api.ts';
import { newBook, newMember } from '../support/library.ts';

const post = (path: string, key: string, json: unknown, token?: string) =>
  api(path, { method: 'POST', json, headers: { 'idempotency-key': key }, ...(token ? { token } : {}) });

describe('Idempotency-Key', () => {
  it("a replay answers the saga's current status; another body with the key is refused 422", async () => {
    const member = await newMember();
    const [first, second] = [await newBook(), await newBook()];
    const key = `rent-${randomUUID()}`;
    const accepted = await post('/rentals', key, { bookNo: first.bookNo }, member.token);
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('RUNNING');
    expect((await settledSaga(accepted.headers.get('location')!, 60_000, member.token)).status).toBe('COMPLETED');

    const replay = await post('/rentals', key, { bookNo: first.bookNo }, member.token);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ id: accepted.body.id, status: 'COMPLETED' });
    expect(replay.headers.get('location')).toBe(accepted.headers.get('location'));

    const reused = await post('/rentals', key, { bookNo: second.bookNo }, member.token);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await api(`/books/${second.bookNo}`)).body.status).toBe('AVAILABLE');
    // A refused saga replays as what it became.
    const refusedKey = `return-${randomUUID()}`;
    const refused = await post('/returns', refusedKey, { bookNo: second.bookNo }, member.token);
    expect((await settledSaga(refused.headers.get('location')!, 60_000, member.token)).status).toBe('COMPENSATED');
    expect((await post('/returns', refusedKey, { bookNo: second.bookNo }, member.token)).body).toEqual({
      id: refused.body.id,
      status: 'COMPENSATED',
    });
  });

  it("keys are the caller's own: another member's identical request with the same key is a saga of its own", async () => {
    const [ann, bob] = [await newMember(), await newMember()];
    const key = `shared-${randomUUID()}`;
    const annClear = await post('/members/me/rental-card/clear-overdue', key, {}, ann.token);
    const bobClear = await post('/members/me/rental-card/clear-overdue', key, {}, bob.token);
    expect(annClear.status).toBe(202);
    expect(bobClear.status).toBe(202);
    expect(bobClear.body.id).not.toBe(annClear.body.id);
    expect((await api(`/clear-overdue/${annClear.body.id}`, { token: bob.token })).status).toBe(404);
  });

  it('of two racing requests with one key and different bodies, one starts the saga and the other is refused', async () => {
    const member = await newMember();
    const [first, second] = [await newBook(), await newBook()];
    const key = `race-${randomUUID()}`;
    const answers = await Promise.all([
      post('/rentals', key, { bookNo: first.bookNo }, member.token),
      post('/rentals', key, { bookNo: second.bookNo }, member.token),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 422]);
    const winner = answers.find((answer) => answer.status === 202)!;
    expect((await settledSaga(winner.headers.get('location')!, 60_000, member.token)).status).toBe('COMPLETED');
    const books = await Promise.all([first, second].map(async (book) => (await api(`/books/${book.bookNo}`)).body.status));
    expect(books.sort()).toEqual(['AVAILABLE', 'RENTED']);
  });

  it('a signup key is scoped by the email signed up and bound to the whole body', async () => {
    const body = signupBody();
    const key = `signup-${randomUUID()}`;
    const accepted = await post('/signups', key, body);
    expect(accepted.status).toBe(202);
    await confirmSignup(String(body.email), accepted.body.id);
    expect((await settledSaga(accepted.headers.get('location')!, 90_000)).status).toBe('COMPLETED');
    expect((await post('/signups', key, body)).body).toEqual({ id: accepted.body.id, status: 'COMPLETED' });
    const changed = await post('/signups', key, { ...body, nickname: `${body.nickname}x` });
    expect(changed.status).toBe(422);
    expect(changed.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Someone else signing up with the same key gets a signup of its own.
    const strangerBody = signupBody();
    const stranger = await post('/signups', key, strangerBody);
    expect(stranger.status).toBe(202);
    expect(stranger.body.id).not.toBe(accepted.body.id);
    await confirmSignup(String(strangerBody.email), stranger.body.id);
    expect((await settledSaga(stranger.headers.get('location')!, 90_000)).status).toBe('COMPLETED');
  });
});
