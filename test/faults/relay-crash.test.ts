/**
 * The relay dies after Kafka took a batch and before the rows were marked
 * published. The restarted relay publishes them again: Kafka now holds the
 * events twice, and the consumers apply each event once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';
import { killProcess, startProcess } from '../support/control.ts';
import { expectInvariantsToHold } from '../support/invariants.ts';
import { readTopic } from '../support/kafka.ts';
import { newBook, newMember, rent } from '../support/library.ts';

afterAll(async () => {
  await startProcess('relay');
});

describe('relay crash between publishing and marking', () => {
  it('publishes again after the restart, and consumers drop the duplicates', async () => {
    const members = await Promise.all(Array.from({ length: 5 }, () => newMember()));
    const books = await Promise.all(members.map(() => newBook()));
    await killProcess('relay', 'SIGTERM');
    await startProcess('relay', { RELAY_CRASH_AFTER_PUBLISH: 'true' });
    const rentals = await Promise.all(members.map((member, i) => rent(member.token, books[i]!.bookNo)));
    expect(rentals.map((saga) => saga.status)).toEqual(Array(5).fill('COMPLETED'));
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the faulty relay publishes and exits
    await startProcess('relay');
    const memberIds = members.map((m) => m.memberId);
    await expectInvariantsToHold({ memberIds, bookNos: books.map((b) => b.bookNo) });

    const ours = (await readTopic(stack().kafkaBrokers, 'rental.item-rented.v1')).filter((message) =>
      memberIds.includes(message.key ?? ''),
    );
    const eventIds = ours.map((message) => JSON.parse(message.value!).eventId as string);
    const distinct = new Set(eventIds).size;
    expect(distinct).toBe(5);
    expect(eventIds.length).toBeGreaterThan(distinct); // the crash really produced duplicates in Kafka
    console.log(
      `relay-crash: ${eventIds.length} messages in Kafka for ${distinct} events; ${eventIds.length - distinct} duplicates dropped by the consumers`,
    );
  }, 180_000);
});
