/**
 * The notifications service against the real stack: a member's loan from rent
 * to overdue and return, each step one mail in Mailpit and one notice in
 * GET /members/me/notices (no address); duplicate and re-emitted events send one
 * mail; after erasure nothing is sent.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, logIn, settledSaga, signUp, stack } from '../support/api.ts';
import { envelope } from '../support/events.ts';
import { awaitMail, mailsTo } from '../support/mail.ts';
import { asAdmin, giveBack, newBook, rent } from '../support/library.ts';
import type { TPayload, Topic } from '../../services/contracts/events.ts';

let db: pg.Pool;
let kafka: Kafka;
let producer: Producer;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
  kafka = new Kafka({ brokers: stack().kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await db.end();
});

async function member() {
  const { body, saga } = await signUp();
  return { email: body.email as string, memberId: saga.memberId as string, token: await logIn(body.email, body.password) };
}

/** Publishes raw envelopes (keyed by member, like the producers) and waits until the notifier's group has consumed past them. */
async function publishAndAwaitConsumed<T extends Topic>(
  topic: T,
  envelopes: { eventId: string; aggregateId: string; payload: TPayload<T> }[],
) {
  const sent = await producer.send({
    topic,
    acks: -1,
    messages: envelopes.map((event) => ({ key: event.aggregateId, value: JSON.stringify(event) })),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: 'notifications', topics: [topic] });
      const done = sent.every((record) => {
        const committed = offsets!.partitions.find((partition) => partition.partition === record.partition)?.offset ?? '-1';
        return Number(committed) > Number(record.baseOffset) + envelopes.length - 1;
      });
      return done ? true : undefined;
    }, 60_000);
  } finally {
    await admin.disconnect();
  }
}

const kinds = async (token: string) =>
  (await api('/members/me/notices', { token })).body.items.map((notice: { kind: string }) => notice.kind);

describe('notifications', () => {
  it('mails each step of a loan, including the due-soon reminder and the overdue notice, and lists them without the address', async () => {
    const reader = await member();
    const { bookNo } = await newBook();
    await awaitMail(reader.email, /^Welcome to Book Rental$/);
    expect((await rent(reader.token, bookNo)).status).toBe('COMPLETED');
    await awaitMail(reader.email, new RegExp(`^You rented book ${bookNo}$`));
    // The test stack lends for 8 s and reminds 4 s before the due date.
    const reminder = await awaitMail(reader.email, new RegExp(`^Reminder: book ${bookNo} is due soon$`), 30_000);
    expect(reminder.text).toContain('is due back by');
    const overdue = await awaitMail(reader.email, new RegExp(`^Overdue: book ${bookNo} was due`), 30_000);
    expect(overdue.text).toContain('suspended');
    expect((await giveBack(reader.token, bookNo)).status).toBe('COMPLETED');
    const returned = await awaitMail(reader.email, new RegExp(`^Thank you for returning book ${bookNo}$`));
    // Late by whole fee days (2 s here) only: a return just past the due date may owe nothing.
    expect(returned.text).toMatch(/^Book \d+ is back(, on time\.|\. It was late: the late fee is \d+ points\.)/);

    const notices = await eventually(async () => {
      const { status, body } = await api('/members/me/notices', { token: reader.token });
      expect(status).toBe(200);
      return body.items.length === 5 ? body.items : undefined;
    });
    expect(notices.map((notice: { kind: string }) => notice.kind).sort()).toEqual(['DUE_SOON', 'OVERDUE', 'RENTED', 'RETURNED', 'WELCOME']);
    expect(notices.every((notice: { delivery: string }) => notice.delivery === 'SENT')).toBe(true);
    expect(notices.find((notice: { kind: string }) => notice.kind === 'OVERDUE')).toMatchObject({ bookNo, dueAt: expect.any(String) });
    const lateFee = notices.find((notice: { kind: string }) => notice.kind === 'RETURNED').lateFee;
    expect(returned.text).toContain(lateFee > 0 ? `late fee is ${lateFee} points` : 'on time');
    expect(JSON.stringify(notices)).not.toContain(reader.email);
    expect(JSON.stringify(notices)).not.toContain('@');
    // One mail per notice, plus the signup's confirmation mail.
    expect((await mailsTo(reader.email)).length).toBe(6);
    expect((await api('/members/me/notices')).status).toBe(401);
  }, 120_000);

  it('sends one mail per event when the event is delivered twice or emitted twice', async () => {
    const reader = await member();
    await awaitMail(reader.email, /^Welcome to Book Rental$/);
    const clearanceId = randomUUID();
    const cleared = envelope('rental.overdue-cleared.v1', { clearanceId, memberId: reader.memberId, amount: 20 });
    // The same event twice (redelivery), and the same clearance under a new event id (an activity retried after its commit).
    const reEmitted = { ...cleared, eventId: randomUUID() };
    await publishAndAwaitConsumed('rental.overdue-cleared.v1', [cleared, cleared, reEmitted]);
    // And the same event again later, on its own.
    await publishAndAwaitConsumed('rental.overdue-cleared.v1', [cleared]);

    const mails = (await mailsTo(reader.email)).filter((mail) => mail.Subject === 'Your rental card is active again');
    expect(mails).toHaveLength(1);
    expect(await kinds(reader.token)).toEqual(['OVERDUE_CLEARED', 'WELCOME']);
    const rows = await db.query(`SELECT delivery FROM notifications.notice WHERE key = $1`, [`OVERDUE_CLEARED:${clearanceId}`]);
    expect(rows.rows).toEqual([{ delivery: 'SENT' }]);
  });

  it('sends nothing once the member is erased', async () => {
    const reader = await member();
    await awaitMail(reader.email, /^Welcome to Book Rental$/);
    const before = (await mailsTo(reader.email)).length;
    const erased = await api('/members/me', { method: 'DELETE', token: reader.token });
    expect(erased.status).toBe(202);
    // The member's own token ends with the erasure (its session is deleted): an admin reads the outcome.
    expect((await settledSaga(erased.headers.get('location')!, 30_000, await asAdmin())).status).toBe('COMPLETED');
    await eventually(async () =>
      (await db.query('SELECT 1 FROM notifications.erased_member WHERE member_id = $1', [reader.memberId])).rowCount === 1
        ? true
        : undefined,
    );
    expect((await db.query('SELECT 1 FROM notifications.notice WHERE member_id = $1', [reader.memberId])).rowCount).toBe(0);

    // A late event about the erased member (a loan's event still in flight, say).
    const rentalId = randomUUID();
    const late = envelope('rental.item-rented.v1', {
      rentalId,
      memberId: reader.memberId,
      bookNo: 1,
      title: 'Late',
      rentedAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await publishAndAwaitConsumed('rental.item-rented.v1', [late]);
    expect((await mailsTo(reader.email)).length).toBe(before);
    expect((await db.query('SELECT 1 FROM notifications.notice WHERE member_id = $1', [reader.memberId])).rowCount).toBe(0);
  });
});
