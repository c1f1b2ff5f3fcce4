/**
 * `npm run bench -- --rebuild <events>`: the read-model rebuild's rate. Writes
 * <events> valid events (titles, partner registrations, rents and their
 * returns) to scratch topics, rebuilds every read model from them into a
 * scratch database with the rebuild command's own code
 * (scripts/rebuild-read-models.ts), checks the rebuilt rows against what was
 * written, prints events per second, and removes topics and database. The
 * running system's topics and read models are not touched.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';
import pg from 'pg';
import { ALL_TOPICS, schemaVersionOf, type Topic } from '../../services/contracts/events.ts';
import { PRODUCER_CONFIG } from '../../services/platform/kafka.ts';
import { SINGLE_BROKER_POLICY } from '../../services/platform/kafka-topics.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { applyMigrations } from '../db/schema-engine.ts';
import { rebuildReadModels } from '../rebuild-read-models.ts';

interface Target {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
}

interface Planned {
  messages: Map<Topic, Message[]>;
  loans: number;
  returned: number;
  books: number;
  partners: number;
}

/** About 1 title per 100 events, 1 member per 20, a tenth of them partners, the rest rents and (most) returns. */
function plan(total: number): Planned {
  const messages = new Map<Topic, Message[]>(ALL_TOPICS.map((topic) => [topic, []]));
  const push = (topic: Topic, key: string, payload: Record<string, unknown>, occurredAt = new Date()) =>
    messages.get(topic)!.push({
      key,
      value: JSON.stringify({
        eventId: randomUUID(),
        type: topic,
        schemaVersion: schemaVersionOf(topic),
        occurredAt: occurredAt.toISOString(),
        aggregateId: key,
        payload,
      }),
    });
  const books = Math.max(10, Math.floor(total / 100));
  const members = Array.from({ length: Math.max(10, Math.floor(total / 20)) }, () => randomUUID());
  const partners = members.filter((_, index) => index % 10 === 0);
  for (let bookNo = 1; bookNo <= books; bookNo++)
    push('book.book-changed.v1', String(bookNo), { bookNo, title: `Bench Book ${bookNo}`, author: 'Bench' });
  for (const memberId of partners) push('member.partner-registered.v1', memberId, { memberId, registeredAt: new Date().toISOString() });
  let loans = 0;
  let returned = 0;
  for (let written = books + partners.length; written < total; ) {
    const memberId = members[loans % members.length]!;
    const bookNo = (loans % books) + 1;
    const rentalId = randomUUID();
    const rentedAt = new Date(Date.now() - 3_600_000);
    push('rental.item-rented.v1', memberId, {
      rentalId,
      memberId,
      bookNo,
      title: `Bench Book ${bookNo}`,
      rentedAt: rentedAt.toISOString(),
      dueAt: new Date(rentedAt.getTime() + 14 * 86_400_000).toISOString(),
    });
    loans++;
    written++;
    if (written < total) {
      push('rental.item-returned.v1', memberId, { rentalId, memberId, bookNo, returnedAt: new Date().toISOString(), lateFee: 0 });
      returned++;
      written++;
    }
  }
  return { messages, loans, returned, books, partners: partners.length };
}

export async function benchRebuild(target: Target, total: number): Promise<number> {
  if (!(total >= 1)) {
    console.error('usage: npm run bench -- --rebuild <events, e.g. 100000>');
    return 2;
  }
  const stamp = `${Date.now()}`;
  const prefix = `bench-rebuild-${stamp}.`;
  const databaseName = `bench_rebuild_${stamp}`;
  const kafka = new Kafka({ clientId: 'bench-rebuild', brokers: target.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const server = new pg.Client({ connectionString: target.DATABASE_URL });
  await server.connect();
  const scratchUrl = new URL(target.DATABASE_URL);
  scratchUrl.pathname = `/${databaseName}`;
  const topics = ALL_TOPICS.map((topic) => prefix + topic);
  try {
    console.log(`rebuild bench: ${total} events into scratch topics ${prefix}* and database ${databaseName}`);
    await server.query(`CREATE DATABASE ${databaseName}`);
    await applyMigrations(scratchUrl.toString());
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: SINGLE_BROKER_POLICY.partitions, replicationFactor: 1 })),
    });

    const planned = plan(total);
    const producer = kafka.producer(PRODUCER_CONFIG);
    await producer.connect();
    const writeStarted = Date.now();
    for (const [topic, messages] of planned.messages) {
      for (let from = 0; from < messages.length; from += 5_000) {
        await producer.send({ topic: prefix + topic, acks: -1, messages: messages.slice(from, from + 5_000) });
      }
    }
    await producer.disconnect();
    console.log(
      `  written in ${((Date.now() - writeStarted) / 1000).toFixed(1)} s: ${planned.books} titles, ${planned.partners} partner registrations, ${planned.loans} rents, ${planned.returned} returns`,
    );

    const report = await rebuildReadModels({
      databaseUrl: scratchUrl.toString(),
      brokers: target.KAFKA_BROKERS.split(','),
      logger: createLogger({ name: 'bench-rebuild', level: (process.env.LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
      topicPrefix: prefix,
    });
    const rate = report.events / (report.ms / 1000);
    const check = await verify(scratchUrl.toString(), planned);
    console.log(
      `  ${report.events} events rebuilt in ${(report.ms / 1000).toFixed(1)} s: ${Math.round(rate)} events/s (goal 5000); ${report.unhandled.length} not applied`,
    );
    for (const group of report.groups) console.log(`    ${group.groupId}: ${group.rows} rows`);
    console.log(check.length === 0 ? '  rebuilt rows match the events' : `  MISMATCH: ${check.join('; ')}`);
    return check.length === 0 && report.unhandled.length === 0 ? 0 : 1;
  } finally {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
    await server.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => {});
    await server.end();
  }
}

/** The rebuilt read models hold exactly what the written events imply. */
async function verify(url: string, planned: Planned): Promise<string[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const one = async (sql: string) => Number(Object.values((await db.query(sql)).rows[0] ?? {})[0] ?? 0);
    const wrong: string[] = [];
    const expect = (what: string, actual: number, expected: number) =>
      actual !== expected && wrong.push(`${what}: ${actual}, expected ${expected}`);
    expect('history rows', await one('SELECT count(*) FROM member.rental_history'), planned.loans);
    expect(
      'returned history rows',
      await one('SELECT count(*) FROM member.rental_history WHERE returned_at IS NOT NULL'),
      planned.returned,
    );
    expect('best-book rents', await one('SELECT coalesce(sum(rent_count), 0) FROM bestbook.book_rent_count'), planned.loans);
    expect('partner-summary rents', await one('SELECT coalesce(sum(rent_count), 0) FROM partner.partner_summary'), planned.loans);
    expect('partner-summary returns', await one('SELECT coalesce(sum(return_count), 0) FROM partner.partner_summary'), planned.returned);
    expect('partners', await one('SELECT count(*) FROM partner.partner_summary WHERE registered_at IS NOT NULL'), planned.partners);
    expect('titles', await one('SELECT count(*) FROM rental.book_title'), planned.books);
    return wrong;
  } finally {
    await db.end();
  }
}
