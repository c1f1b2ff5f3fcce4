/**
 * The outbox relay: publishes each service's outbox rows to Kafka in commit
 * order and marks them published. Woken by NOTIFY on commit, with a polling
 * fallback. One relay at a time drains a given outbox (a transaction-scoped
 * advisory lock), so several relays can run for availability without
 * double-sending or reordering an aggregate's events. Outboxes may live in
 * different databases (a service moved to one of its own): each distinct
 * connection string gets its own pool, LISTEN and pruning.
 */
import pg from 'pg';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Message, Producer } from 'kafkajs';
import { OUTBOX_CHANNEL, OUTBOX_SCHEMAS, type OutboxSchema } from './outbox.ts';
import type { Logger } from './logger.ts';
import { outboxPublished, readOutboxBacklogWith } from './metrics.ts';
import { schedulePruning } from './outbox-retention.ts';
import { groupOutboxes } from './service-databases.ts';
import { activeTraceparent, contextFromTraceparent, tracer } from './tracing.ts';

export interface RelayOptions {
  /** Where the outboxes are read. */
  databaseUrl: string;
  /** Outboxes read through another connection string (their service's own database); the others through databaseUrl. */
  outboxUrls?: Partial<Record<OutboxSchema, string>>;
  producer: Pick<Producer, 'sendBatch'>;
  logger: Logger;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Published rows older than this are deleted (services/platform/outbox-retention.ts); unset = kept for ever. */
  retentionSeconds?: number;
  pruneIntervalMs?: number;
}

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  envelope: unknown;
}

export interface Relay {
  /** Publishes what is pending in one outbox now; returns how many rows were published. */
  drain(schema: OutboxSchema): Promise<number>;
  stop(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const { producer, logger } = options;
  const batchSize = options.batchSize ?? 500;
  // One database (one connection string) per group of outboxes: all four in one group when they share a URL.
  const databases = groupOutboxes((schema) => options.outboxUrls?.[schema] ?? options.databaseUrl).map(({ url, schemas }) => {
    // A connection per outbox loop, and one for the backlog gauge.
    const pool = new pg.Pool({ connectionString: url, max: schemas.length + 1 });
    // An idle connection dropped by a PostgreSQL restart: the pool replaces it; without a listener it would kill the process.
    pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
    return { url, schemas, pool, listener: undefined as pg.Client | undefined };
  });
  type Database = (typeof databases)[number];
  const poolOf = new Map(databases.flatMap((database) => database.schemas.map((schema) => [schema, database.pool] as const)));
  let stopped = false;
  const wake = new Map<OutboxSchema, () => void>();

  async function drainOnce(schema: OutboxSchema): Promise<number> {
    const client = await poolOf.get(schema)!.connect();
    // The pool listens for errors on idle connections only. One lost while checked out here (a
    // database restart) fails the query in flight on its own; unheard, its 'error' event would
    // end the process. Released with the error, the pool discards it.
    let lost: Error | undefined;
    const onLost = (error: Error) => {
      lost = error;
      logger.warn({ err: error, schema }, 'database connection lost while draining');
    };
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      const {
        rows: [lock],
      } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`outbox:${schema}`]);
      if (!lock?.locked) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { rows } = await client.query<OutboxRow>(
        `SELECT seq, topic, key, envelope FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [batchSize],
      );
      if (rows.length > 0) {
        const spans = rows.map((row) => publishSpan(schema, row));
        try {
          await producer.sendBatch({
            acks: -1,
            topicMessages: groupByTopic(rows, spans),
          });
        } catch (error) {
          for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) }).end();
          throw error;
        }
        for (const span of spans) span.end();
        await client.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [
          rows.map((row) => row.seq),
        ]);
      }
      await client.query('COMMIT');
      for (const row of rows) outboxPublished.inc({ outbox: schema, topic: row.topic });
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.off('error', onLost);
      client.release(lost);
    }
  }

  async function drain(schema: OutboxSchema): Promise<number> {
    let total = 0;
    for (let published = await drainOnce(schema); published > 0; published = await drainOnce(schema)) total += published;
    return total;
  }

  /** One loop per outbox: drain, then sleep until NOTIFY or the poll interval. */
  async function loop(schema: OutboxSchema): Promise<void> {
    let backoffMs = 100;
    while (!stopped) {
      try {
        const published = await drain(schema);
        if (published > 0) logger.debug({ schema, published }, 'outbox rows published');
        backoffMs = 100;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollIntervalMs ?? 1000);
          wake.set(schema, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      } catch (error) {
        logger.warn({ schema, err: error }, 'outbox relay failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  }

  /** LISTENs for a database's commits; on a lost connection (PostgreSQL restart) polls meanwhile and reconnects. */
  async function listen(database: Database, delayMs = 0): Promise<void> {
    if (stopped) return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const client = new pg.Client({ connectionString: database.url });
    // Only this database's outboxes: another database may hold an unused copy of an outbox read elsewhere.
    const own = (schema: string): schema is OutboxSchema => (database.schemas as string[]).includes(schema);
    client.on('notification', (message) => {
      if (message.payload && own(message.payload)) wake.get(message.payload)?.();
    });
    client.on('error', (error) => {
      logger.warn({ err: error, outboxes: database.schemas }, 'outbox listener lost its connection; polling until it is back');
      client.end().catch(() => {});
      void listen(database, 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      database.listener = client;
      for (const schema of database.schemas) wake.get(schema)?.(); // catch up on what committed while deaf
    } catch (error) {
      logger.warn({ err: error, outboxes: database.schemas }, 'outbox listener cannot connect; retrying');
      await client.end().catch(() => {});
      void listen(database, Math.min(Math.max(delayMs * 2, 500), 5000));
    }
  }

  await Promise.all(databases.map((database) => listen(database)));
  const loops = OUTBOX_SCHEMAS.map((schema) => loop(schema));
  // Each database its own small pool: pruning never takes a connection the outbox loops wait for.
  const prunings = databases.flatMap(({ url, schemas }) => {
    if (options.retentionSeconds === undefined) return [];
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    pool.on('error', (error) => logger.warn({ err: error }, 'idle pruning connection lost'));
    const pruning = schedulePruning(pool, {
      retentionSeconds: options.retentionSeconds,
      intervalMs: options.pruneIntervalMs ?? 60_000,
      logger,
      schemas,
    });
    return [{ pool, pruning }];
  });
  readOutboxBacklogWith(async () => (await Promise.all(databases.map(({ pool, schemas }) => readBacklog(pool, schemas)))).flat());

  return {
    drain,
    async stop() {
      stopped = true;
      readOutboxBacklogWith(undefined);
      for (const resolve of wake.values()) resolve();
      await Promise.allSettled(loops);
      for (const { pool, pruning } of prunings) {
        await pruning.stop();
        await pool.end();
      }
      for (const database of databases) {
        await database.listener?.end().catch(() => {});
        await database.pool.end();
      }
    },
  };
}

/**
 * One PRODUCER span per row, a child of the span that wrote the event (its
 * envelope's `traceparent`); the message carries this span as its
 * `traceparent` header, so the consumer's span is the next link of the trace.
 */
function publishSpan(schema: OutboxSchema, row: OutboxRow): Span {
  const envelope = row.envelope as { eventId?: string; traceparent?: string };
  return tracer().startSpan(
    `${row.topic} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation': 'publish',
        'messaging.destination.name': row.topic,
        'messaging.kafka.message.key': row.key,
        ...(envelope.eventId ? { 'messaging.message.id': envelope.eventId } : {}),
        'outbox.schema': schema,
      },
    },
    contextFromTraceparent(envelope.traceparent),
  );
}

function groupByTopic(rows: OutboxRow[], spans: Span[]) {
  const byTopic = new Map<string, Message[]>();
  rows.forEach((row, index) => {
    const messages = byTopic.get(row.topic) ?? [];
    const traceparent = activeTraceparent(trace.setSpan(ROOT_CONTEXT, spans[index]!));
    messages.push({ key: row.key, value: JSON.stringify(row.envelope), ...(traceparent ? { headers: { traceparent } } : {}) });
    byTopic.set(row.topic, messages);
  });
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Each outbox's unpublished rows and the age of the oldest (the index on published_at, seq finds them). */
async function readBacklog(pool: pg.Pool, schemas: readonly OutboxSchema[]) {
  return Promise.all(
    schemas.map(async (outbox) => {
      const {
        rows: [row],
      } = await pool.query<{ rows: number; oldest: number }>(
        `SELECT count(*)::int AS rows, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest FROM "${outbox}".outbox WHERE published_at IS NULL`,
      );
      return { outbox, rows: row?.rows ?? 0, oldestSeconds: row?.oldest ?? 0 };
    }),
  );
}
