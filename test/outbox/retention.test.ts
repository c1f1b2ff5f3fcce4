/**
 * Outbox retention on a scratch database of the test server: published rows
 * past retention go in batches, recent and unpublished rows stay, pruning does
 * not wait for a relay that holds its lock and its rows, and the relay prunes
 * on its own when given a retention.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCER_CONFIG } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { pruneOutboxes } from '../../services/platform/outbox-retention.ts';
import { startRelay } from '../../services/platform/relay.ts';
import { eventually, stack } from '../support/api.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.ts';

let scratch: ScratchDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  scratch = await createScratchDatabase(stack().databaseUrl);
  pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
});
afterAll(async () => {
  await pool?.end();
  await scratch?.drop();
});

/** Rows in rental.outbox: `published` null = waiting for the relay. */
async function insertRows(count: number, createdAgo: string, publishedAgo: string | null): Promise<void> {
  await pool.query(
    `INSERT INTO rental.outbox (event_id, topic, key, envelope, created_at, published_at)
     SELECT gen_random_uuid(), 'rental.item-rented.v1', 'k', '{}'::jsonb, now() - $2::interval, CASE WHEN $3::interval IS NULL THEN NULL ELSE now() - $3::interval END
     FROM generate_series(1, $1)`,
    [count, createdAgo, publishedAgo],
  );
}
const rows = async (where: string) => Number((await pool.query(`SELECT count(*) FROM rental.outbox WHERE ${where}`)).rows[0].count);

describe('outbox retention', () => {
  it('prunes published rows past retention in batches, keeps the rest, and does not wait for the relay', async () => {
    await pool.query('TRUNCATE rental.outbox');
    await insertRows(2_500, '3 hours', '3 hours');
    await insertRows(10, '5 minutes', '5 minutes');
    await insertRows(3, '3 hours', null);
    // A relay in the middle of a batch: its advisory lock and the unpublished rows it is marking.
    const relay = await pool.connect();
    await relay.query('BEGIN');
    await relay.query(`SELECT pg_advisory_xact_lock(hashtext('outbox:rental'))`);
    await relay.query('SELECT seq FROM rental.outbox WHERE published_at IS NULL FOR UPDATE');
    try {
      const started = Date.now();
      const { deleted, batches } = await pruneOutboxes(pool, { retentionSeconds: 3_600, batchSize: 1_000, schemas: ['rental'] });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(deleted).toEqual({ rental: 2_500 });
      expect(batches).toBe(3);
    } finally {
      await relay.query('ROLLBACK');
      relay.release();
    }
    expect(await rows('published_at IS NOT NULL')).toBe(10);
    expect(await rows('published_at IS NULL')).toBe(3);
  });

  it('skips rows another transaction holds instead of waiting for them', async () => {
    await pool.query('TRUNCATE rental.outbox');
    await insertRows(5, '3 hours', '3 hours');
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT seq FROM rental.outbox ORDER BY seq LIMIT 2 FOR UPDATE');
    try {
      const { deleted } = await pruneOutboxes(pool, { retentionSeconds: 3_600, schemas: ['rental'] });
      expect(deleted).toEqual({ rental: 3 });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect((await pruneOutboxes(pool, { retentionSeconds: 3_600, schemas: ['rental'] })).deleted).toEqual({ rental: 2 });
  });

  it('the relay prunes on its own when given a retention', async () => {
    await pool.query('TRUNCATE rental.outbox');
    await insertRows(1_200, '2 hours', '2 hours');
    await insertRows(4, '1 minute', '1 minute');
    // Nothing unpublished: the relay publishes nothing to the shared topics, it only prunes.
    const producer = new Kafka({ brokers: stack().kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer(PRODUCER_CONFIG);
    await producer.connect();
    const relay = await startRelay({
      databaseUrl: scratch.url,
      producer,
      logger: createLogger({ name: 'test-relay', level: 'silent' }),
      retentionSeconds: 3_600,
      pruneIntervalMs: 200,
    });
    try {
      await eventually(async () => ((await rows('true')) === 4 ? true : undefined), 20_000);
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
    expect(await rows(`created_at > now() - interval '10 minutes'`)).toBe(4);
  });
});
