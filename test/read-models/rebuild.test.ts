/**
 * The rebuild command against the real Kafka: events are produced to the real
 * topics, and the read models are rebuilt into a scratch database of their own,
 * so emptying the tables never disturbs other suites. Only this suite's rows
 * (its own member ids and book numbers) are compared.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rebuildReadModels } from '../../scripts/rebuild-read-models.ts';
import type { TEnvelope } from '../../services/contracts/events.ts';
import { startConsumerGroup, type ConsumerGroup } from '../../services/platform/consumer.ts';
import { createDb, type Db } from '../../services/platform/db.ts';
import { PRODUCER_CONFIG, createKafka } from '../../services/platform/kafka.ts';
import { ensureTopics, SINGLE_BROKER_POLICY } from '../../services/platform/kafka-topics.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { findPartnerSummary } from '../../services/partner/summaries.ts';
import { readModels } from '../../services/read-models.ts';
import { eventually } from '../support/api.ts';
import { envelope, uniqueBookNo } from '../support/events.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.ts';

const logger = createLogger({ name: 'rebuild-test', level: 'silent' });
const brokers = () => inject('stack').kafkaBrokers.split(',');
let scratch: ScratchDatabase;
let db: Db;
let producer: Producer;

beforeAll(async () => {
  scratch = await createScratchDatabase(inject('stack').databaseUrl);
  db = createDb(scratch.url, 4);
  const kafka = createKafka({ brokers: brokers(), clientId: 'rebuild-test', logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, SINGLE_BROKER_POLICY);
  await admin.disconnect();
  producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
  await db?.$disconnect();
  await scratch?.drop();
});

async function publish(events: TEnvelope[], gapMs = 0): Promise<void> {
  for (const event of events) {
    await producer.send({ topic: event.type, acks: -1, messages: [{ key: event.aggregateId, value: JSON.stringify(event) }] });
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

/** A scripted story with fresh ids: a partner and a user rent and return three books, one edited twice. */
function story() {
  const partner = randomUUID();
  const user = randomUUID();
  const [edited, plain, untitled] = [uniqueBookNo(), uniqueBookNo(), uniqueBookNo()];
  const loans = { partnerEdited: randomUUID(), partnerPlain: randomUUID(), userUntitled: randomUUID() };
  const rent = (rentalId: string, memberId: string, bookNo: number, title: string, rentedAt: string) =>
    envelope(
      'rental.item-rented.v1',
      { rentalId, memberId, bookNo, title, rentedAt, dueAt: '2026-12-31T00:00:00.000Z' },
      { occurredAt: rentedAt },
    );
  const giveBack = (rentalId: string, memberId: string, bookNo: number, returnedAt: string) =>
    envelope('rental.item-returned.v1', { rentalId, memberId, bookNo, returnedAt, lateFee: 0 }, { occurredAt: returnedAt });
  const change = (bookNo: number, title: string, occurredAt: string) =>
    envelope('book.book-changed.v1', { bookNo, title, author: 'A. Author' }, { occurredAt });
  const duplicated = rent(loans.partnerPlain, partner, plain, 'Plain', '2026-01-03T00:00:00.000Z');
  // Registration comes first, as in life: a partner can only rent after the signup saga has announced them.
  const registration = [envelope('member.partner-registered.v1', { memberId: partner, registeredAt: '2026-01-01T00:00:00.000Z' })];
  const activity: TEnvelope[] = [
    // The newer edit is published first: the older one must not win on replay.
    change(edited, 'Edited, second edition', '2026-01-02T12:00:00.000Z'),
    change(edited, 'Edited, first edition', '2026-01-02T00:00:00.000Z'),
    change(plain, 'Plain', '2026-01-02T00:00:00.000Z'),
    rent(loans.partnerEdited, partner, edited, 'Edited, first edition', '2026-01-03T00:00:00.000Z'),
    giveBack(loans.partnerEdited, partner, edited, '2026-01-04T00:00:00.000Z'),
    duplicated,
    duplicated, // a relay that resent after a lost acknowledgement
    rent(loans.userUntitled, user, untitled, 'Untitled', '2026-01-05T00:00:00.000Z'),
    giveBack(loans.userUntitled, user, untitled, '2026-01-06T00:00:00.000Z'),
  ];
  // One rent per book: leftovers in the shared topics never outrank other suites' books in /books/best.
  const expected = {
    bestBooks: [
      { bookNo: edited, title: 'Edited, second edition', rentCount: 1 },
      { bookNo: plain, title: 'Plain', rentCount: 1 },
      { bookNo: untitled, title: 'Untitled', rentCount: 1 },
    ].sort((a, b) => a.bookNo - b.bookNo),
    titles: [
      { bookNo: edited, title: 'Edited, second edition' },
      { bookNo: plain, title: 'Plain' },
    ].sort((a, b) => a.bookNo - b.bookNo),
    history: [
      {
        rentalId: loans.partnerEdited,
        memberId: partner,
        bookNo: edited,
        title: 'Edited, first edition',
        rentedAt: new Date('2026-01-03T00:00:00.000Z'),
        returnedAt: new Date('2026-01-04T00:00:00.000Z'),
      },
      {
        rentalId: loans.partnerPlain,
        memberId: partner,
        bookNo: plain,
        title: 'Plain',
        rentedAt: new Date('2026-01-03T00:00:00.000Z'),
        returnedAt: null,
      },
      {
        rentalId: loans.userUntitled,
        memberId: user,
        bookNo: untitled,
        title: 'Untitled',
        rentedAt: new Date('2026-01-05T00:00:00.000Z'),
        returnedAt: new Date('2026-01-06T00:00:00.000Z'),
      },
    ].sort((a, b) => a.rentalId.localeCompare(b.rentalId)),
    // Every renting member is counted; only the registered partner is visible through the API.
    partners: [
      { memberId: partner, registeredAt: new Date('2026-01-01T00:00:00.000Z'), rentCount: 2, returnCount: 1 },
      { memberId: user, registeredAt: null, rentCount: 1, returnCount: 1 },
    ].sort((a, b) => a.memberId.localeCompare(b.memberId)),
  };
  return {
    registration,
    activity,
    events: [...registration, ...activity],
    partner,
    ids: { members: [partner, user], books: [edited, plain, untitled] },
    expected,
  };
}

type Ids = ReturnType<typeof story>['ids'];

/** This suite's rows of every read model, in a stable order. */
async function snapshot({ members, books }: Ids) {
  const [bestBooks, titles, history, partners] = await Promise.all([
    db.bookRentCount.findMany({
      where: { bookNo: { in: books } },
      orderBy: { bookNo: 'asc' },
      select: { bookNo: true, title: true, rentCount: true },
    }),
    db.bookTitle.findMany({ where: { bookNo: { in: books } }, orderBy: { bookNo: 'asc' }, select: { bookNo: true, title: true } }),
    db.rentalHistory.findMany({ where: { memberId: { in: members } }, orderBy: { rentalId: 'asc' } }),
    db.partnerSummary.findMany({
      where: { memberId: { in: members } },
      orderBy: { memberId: 'asc' },
      select: { memberId: true, registeredAt: true, rentCount: true, returnCount: true },
    }),
  ]);
  return { bestBooks, titles, history, partners };
}

/** What the consumers process would have done: every event through the same handlers, in order. */
async function applyLive(events: TEnvelope[]): Promise<void> {
  const handlers = readModels(db).flatMap((model) => model.subscriptions);
  for (const event of events) {
    for (const subscription of handlers.filter((s) => s.topic === event.type)) await subscription.handle(event);
  }
}

async function rebuildGroups(): Promise<string[]> {
  const admin = createKafka({ brokers: brokers(), clientId: 'rebuild-test', logger }).admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.includes('-rebuild-'));
  } finally {
    await admin.disconnect();
  }
}

describe('rebuilding the read models from Kafka', () => {
  it('replaces whatever the read models hold with what the events imply', async () => {
    const { events, ids, expected } = story();
    await publish(events);
    await applyLive(events);
    const before = await snapshot(ids);
    expect(before).toEqual(expected);

    // Damage every read model the way a buggy handler might.
    await db.bookRentCount.updateMany({ where: { bookNo: { in: ids.books } }, data: { rentCount: 99, title: 'wrong' } });
    await db.bookTitle.updateMany({ where: { bookNo: { in: ids.books } }, data: { title: 'wrong', changedAt: new Date('2099-01-01') } });
    await db.rentalHistory.deleteMany({ where: { memberId: ids.members[0] } });
    await db.partnerSummary.updateMany({ where: { memberId: { in: ids.members } }, data: { rentCount: 50, returnCount: 50 } });

    const groupsBefore = await rebuildGroups();
    const report = await rebuildReadModels({ databaseUrl: scratch.url, brokers: brokers(), logger });
    expect(await snapshot(ids)).toEqual(before);

    expect(report.groups.map((group) => group.groupId).sort()).toEqual([
      'best-book',
      'member-history',
      'partner-summary',
      'rental-book-titles',
    ]);
    const partnerSummary = report.groups.find((group) => group.groupId === 'partner-summary')!;
    expect(partnerSummary.replayed['rental.item-rented.v1']).toBeGreaterThanOrEqual(4);
    expect(partnerSummary.rows).toBeGreaterThanOrEqual(1);
    // The temporary groups are gone.
    expect((await rebuildGroups()).filter((id) => !groupsBefore.includes(id))).toEqual([]);

    // A second rebuild changes nothing.
    await rebuildReadModels({ databaseUrl: scratch.url, brokers: brokers(), logger });
    expect(await snapshot(ids)).toEqual(before);
  }, 120_000);

  it('applies every event exactly once while live consumers keep running beside it', async () => {
    const live: ConsumerGroup[] = [];
    const liveGroups: string[] = [];
    const first = story();
    const second = story();
    const settled = async ({ ids, expected }: ReturnType<typeof story>) =>
      eventually(async () => (equal(await snapshot(ids), expected) ? true : undefined), 30_000).catch(async () => {
        expect(await snapshot(ids)).toEqual(expected); // fails showing the difference
      });
    const registered = (memberId: string) => eventually(async () => ((await findPartnerSummary(db, memberId)) ? true : undefined));
    try {
      // Live consumers under groups of their own, so the real groups' offsets stay untouched.
      for (const model of readModels(db)) {
        const groupId = `${model.groupId}-test-${randomUUID()}`;
        liveGroups.push(groupId);
        const kafka = createKafka({ brokers: brokers(), clientId: 'rebuild-test-live', logger });
        live.push(await startConsumerGroup({ kafka, producer, logger, groupId, subscriptions: model.subscriptions }));
      }
      for (const { registration, partner } of [first, second]) {
        await publish(registration);
        await registered(partner);
      }
      await publish(first.activity);
      await settled(first);

      // Events keep arriving, spread over the seconds the rebuild takes to empty and replay the read models.
      const rebuilding = rebuildReadModels({ databaseUrl: scratch.url, brokers: brokers(), logger });
      await publish(second.activity, 250);
      await rebuilding;

      await settled(first);
      await settled(second);
    } finally {
      await Promise.all(live.map((consumer) => consumer.disconnect()));
      const admin = createKafka({ brokers: brokers(), clientId: 'rebuild-test', logger }).admin();
      await admin.connect();
      await admin.deleteGroups(liveGroups).catch(() => {});
      await admin.disconnect();
    }
  }, 180_000);
});

function equal(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}
