/**
 * Keeps one consumer of a group running: a consumer that kafkajs gives up on
 * (a crash it does not restart from), that shows no sign of life (no fetch,
 * no heartbeat) or that holds one batch far too long is replaced by a new one.
 * The old one is left to disconnect on its own (a hung batch would keep its
 * disconnect waiting); its partitions move to the new one once the group sees
 * it gone. The consumer itself is built by the caller (services/platform/consumer.ts).
 */
import type { Consumer } from 'kafkajs';
import { backoffMs } from './failures.ts';
import type { Logger } from './logger.ts';
import { consumerRelaunches } from './metrics.ts';

/** A running consumer group; a consumer that crashed for good or stalled is replaced until `disconnect`. */
export interface ConsumerGroup {
  groupId: string;
  /** Replaces the running consumer by a new one (a partition it stopped reading, see stuck-partitions.ts). */
  replace(why: string): void;
  disconnect(): Promise<void>;
}

/** What a consumer tells its supervisor. Reports of a consumer already replaced are ignored. */
export interface Vitals {
  /** A fetch or a heartbeat: the runner is alive. */
  alive(): void;
  /** A batch begins; the answer is called when it ends. */
  batchStarted(): () => void;
  /** kafkajs crashed and will not restart by itself. */
  crashedForGood(): void;
}

export interface SupervisorOptions {
  groupId: string;
  logger: Logger;
  /** A consumer in the group, connected, subscribed and running, reporting through `vitals`. */
  launch: (vitals: Vitals) => Promise<Consumer>;
  /** No fetch and no heartbeat for this long replaces the consumer (default 2 minutes) ... */
  stallTimeoutMs?: number;
  /** ... and so does one batch handled for this long (default 5 minutes). */
  batchTimeoutMs?: number;
}

export async function superviseConsumer(options: SupervisorOptions): Promise<ConsumerGroup> {
  const { groupId, logger } = options;
  let stopped = false;
  let replacing = false;
  /** The current consumer's number: a replaced one's reports no longer count. */
  let generation = 0;
  let lastSign = Date.now();
  /** The current consumer's batches being handled, with when each began. */
  const batchesRunning = new Map<object, number>();
  let current: Consumer | undefined;

  function vitalsOf(mine: number): Vitals {
    const isCurrent = () => mine === generation;
    const alive = () => {
      if (isCurrent()) lastSign = Date.now();
    };
    return {
      alive,
      batchStarted() {
        // A consumer replaced for a hung batch is not watched again.
        if (!isCurrent()) return () => {};
        const batch = {};
        batchesRunning.set(batch, Date.now());
        return () => {
          batchesRunning.delete(batch);
          alive();
        };
      },
      crashedForGood() {
        if (isCurrent()) replace('a crash kafkajs does not restart from');
      },
    };
  }

  const launch = () => options.launch(vitalsOf(++generation));

  /** A new consumer in place of the current one, retried with capped backoff until one runs or the group is stopped. */
  function replace(why: string): void {
    if (replacing || stopped) return;
    replacing = true;
    const old = current;
    current = undefined;
    generation++;
    batchesRunning.clear();
    void old?.disconnect().catch(() => {});
    logger.error({ groupId, why }, 'consumer group replaced by a new consumer');
    const attempt = (n: number): void => {
      setTimeout(
        () => {
          if (stopped) {
            replacing = false;
            return;
          }
          launch()
            .then((consumer) => {
              replacing = false;
              if (stopped) return void consumer.disconnect().catch(() => {});
              current = consumer;
              lastSign = Date.now();
              consumerRelaunches.inc({ group: groupId });
              logger.warn({ groupId, attempts: n, why }, 'consumer group relaunched');
            })
            .catch((error: unknown) => {
              logger.warn({ groupId, attempt: n, err: error }, 'consumer group relaunch failed; trying again');
              attempt(n + 1);
            });
        },
        backoffMs(n, 1000, 30_000),
      ).unref();
    };
    attempt(1);
  }

  current = await launch();
  const stallMs = options.stallTimeoutMs ?? 120_000;
  const batchLimitMs = options.batchTimeoutMs ?? 300_000;
  const watchdog = setInterval(
    () => {
      if (stopped || replacing || !current) return;
      const now = Date.now();
      const oldestBatch = Math.min(...batchesRunning.values());
      if (now - oldestBatch > batchLimitMs) replace(`a batch has run for ${Math.round((now - oldestBatch) / 1000)} s`);
      else if (batchesRunning.size === 0 && now - lastSign > stallMs)
        replace(`no fetch and no heartbeat for ${Math.round((now - lastSign) / 1000)} s`);
    },
    Math.min(stallMs, batchLimitMs, 10_000),
  );
  watchdog.unref();
  return {
    groupId,
    replace,
    async disconnect() {
      stopped = true;
      clearInterval(watchdog);
      await current?.disconnect();
    },
  };
}
