/**
 * Outbox retention: published rows older than the retention are deleted, a
 * small batch per transaction, so the outboxes stop growing (the events live
 * on in Kafka). Only published rows are touched, and rows another transaction
 * holds are skipped (SKIP LOCKED): pruning never waits for the relay, and the
 * relay, which takes only unpublished rows, never waits for pruning.
 */
import type pg from 'pg';
import { OUTBOX_SCHEMAS, type OutboxSchema } from './outbox.ts';
import type { Logger } from './logger.ts';
import { outboxPruned } from './metrics.ts';

export interface PruneOptions {
  retentionSeconds: number;
  batchSize?: number;
  schemas?: readonly OutboxSchema[];
}

/** Deletes what is past retention in every outbox; returns the rows deleted per outbox and the batches it took. */
export async function pruneOutboxes(
  pool: pg.Pool,
  options: PruneOptions,
): Promise<{ deleted: Partial<Record<OutboxSchema, number>>; batches: number }> {
  const batchSize = options.batchSize ?? 1000;
  const deleted: Partial<Record<OutboxSchema, number>> = {};
  let batches = 0;
  for (const schema of options.schemas ?? OUTBOX_SCHEMAS) {
    for (;;) {
      // One statement = one short transaction; the index on (published_at, seq) finds the rows.
      const { rowCount } = await pool.query(
        `DELETE FROM "${schema}".outbox WHERE seq IN (
           SELECT seq FROM "${schema}".outbox
           WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1)
           ORDER BY published_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [options.retentionSeconds, batchSize],
      );
      const count = rowCount ?? 0;
      if (count === 0) break;
      batches++;
      deleted[schema] = (deleted[schema] ?? 0) + count;
      outboxPruned.inc({ outbox: schema }, count);
      if (count < batchSize) break;
    }
  }
  return { deleted, batches };
}

/** Prunes every interval until stopped; a failure (database away) is logged and tried again next time. */
export function schedulePruning(pool: pg.Pool, options: PruneOptions & { intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = pruneOutboxes(pool, options)
      .then(({ deleted, batches }) => {
        if (batches > 0)
          options.logger.info({ deleted, batches, retentionSeconds: options.retentionSeconds }, 'published outbox rows pruned');
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'outbox pruning failed; trying again at the next interval'));
  };
  const timer = setInterval(() => {
    if (!stopped) run();
  }, options.intervalMs);
  timer.unref();
  run();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
