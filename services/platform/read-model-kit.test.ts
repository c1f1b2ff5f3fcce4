import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../test/support/scratch-db.ts';
import { createDb, type Db } from './db.ts';
import { applyOnce, type NewestWins, upsertNewest } from './read-model-kit.ts';

let scratch: ScratchDatabase;
let db: Db;

beforeAll(async () => {
  scratch = await createScratchDatabase(inject('stack').databaseUrl);
  db = createDb(scratch.url, 4);
  await db.$executeRawUnsafe('CREATE SCHEMA kit');
  await db.$executeRawUnsafe('CREATE TABLE kit.processed_event (event_id uuid PRIMARY KEY)');
  await db.$executeRawUnsafe(
    'CREATE TABLE kit.item (id int PRIMARY KEY, name text NOT NULL, at timestamptz NOT NULL, hits int NOT NULL DEFAULT 0)',
  );
}, 120_000);
afterAll(async () => {
  await db?.$disconnect();
  await scratch?.drop();
});

const ITEMS: NewestWins<{ id: number; name: string; at: Date }> = {
  table: 'kit.item',
  key: 'id',
  version: 'at',
  columns: { id: 'int', name: 'text', at: 'timestamptz' },
};
const event = (name: string) => ({ eventId: randomUUID(), name });
const applied = async (events: { eventId: string; name: string }[]) => {
  const seen: string[] = [];
  const fresh = await applyOnce(db, 'kit.processed_event', events, async (_tx, batch) => void seen.push(...batch.map((e) => e.name)));
  return { fresh, seen };
};
const item = async (id: number) =>
  (await db.$queryRawUnsafe<{ name: string; at: Date; hits: number }[]>('SELECT name, at, hits FROM kit.item WHERE id = $1', id))[0];

describe('apply once', () => {
  it('hands on each event once, in order: duplicates within a batch and across batches are skipped', async () => {
    const [a, b, c] = [event('a'), event('b'), event('c')];
    expect(await applied([a, b, a, c])).toEqual({ fresh: 3, seen: ['a', 'b', 'c'] });
    expect(await applied([c, event('d'), b])).toEqual({ fresh: 1, seen: ['d'] });
    expect(await applied([a])).toEqual({ fresh: 0, seen: [] });
  });

  it('records nothing when the change fails: the ids and the change commit together', async () => {
    const [a, b] = [event('a'), event('b')];
    await expect(
      applyOnce(db, 'kit.processed_event', [a, b], async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO kit.item (id, name, at) VALUES (-1, 'half', now())`);
        throw new Error('handler bug');
      }),
    ).rejects.toThrow('handler bug');
    expect(await item(-1)).toBeUndefined();
    expect(await applied([a, b])).toEqual({ fresh: 2, seen: ['a', 'b'] });
  });

  it('applies one event on two connections at the same moment once', async () => {
    const a = event('a');
    const results = await Promise.all([applied([a]), applied([a])]);
    expect(results.map((result) => result.fresh).sort()).toEqual([0, 1]);
  });

  it('refuses a table name that is not a plain identifier', async () => {
    await expect(
      applyOnce(db, 'kit.processed_event; DROP TABLE kit.item; --x.processed_event', [event('a')], async () => {}),
    ).rejects.toThrow('not a plain SQL identifier');
  });
});

describe('newest-wins upsert', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));

  it('keeps the newest version of a key within a batch, whatever the order, and the first of equals', async () => {
    await db.$transaction((tx) =>
      upsertNewest(tx, ITEMS, [
        { id: 1, name: 'second', at: at(2) },
        { id: 1, name: 'first', at: at(1) },
        { id: 2, name: 'one', at: at(5) },
        { id: 2, name: 'same time, later', at: at(5) },
      ]),
    );
    expect(await item(1)).toEqual({ name: 'second', at: at(2), hits: 0 });
    expect(await item(2)).toEqual({ name: 'one', at: at(5), hits: 0 });
  });

  it('replaces a stored row only with a strictly newer version, and leaves the other columns alone', async () => {
    await db.$executeRawUnsafe(`INSERT INTO kit.item (id, name, at, hits) VALUES (3, 'stored', $1, 7)`, at(10));
    await db.$transaction((tx) => upsertNewest(tx, ITEMS, [{ id: 3, name: 'older', at: at(9) }]));
    await db.$transaction((tx) => upsertNewest(tx, ITEMS, [{ id: 3, name: 'as old', at: at(10) }]));
    expect(await item(3)).toEqual({ name: 'stored', at: at(10), hits: 7 });
    await db.$transaction((tx) => upsertNewest(tx, ITEMS, [{ id: 3, name: 'newer', at: at(11) }]));
    expect(await item(3)).toEqual({ name: 'newer', at: at(11), hits: 7 });
  });
});
