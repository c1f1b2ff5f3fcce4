/**
 * Every Prometheus metric the processes expose, in one place (README
 * "Operations" documents each). Each process fills the ones it knows about:
 * the api its request durations, the worker its sagas and activities, the
 * relay its outboxes, the consumers their groups. The api answers GET /metrics
 * on its own port; the others serve it on METRICS_PORT.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TConfig } from './config.ts';
import type { Logger } from './logger.ts';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

export const httpRequestDuration = new Histogram({
  name: 'bookrental_http_request_duration_seconds',
  help: 'HTTP requests answered by the api, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

/** The per-request session check (services/auth/sessions.ts): what revocation costs each authenticated request. */
export const sessionCheckDuration = new Histogram({
  name: 'bookrental_session_check_duration_seconds',
  help: "Time the api spent checking that a bearer token's session is live (one primary-key lookup in auth.session)",
  buckets: [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
  registers,
});

export const sagasStarted = new Counter({
  name: 'bookrental_sagas_started_total',
  help: 'Sagas whose first workflow task ran on this worker, by saga type',
  labelNames: ['saga_type'],
  registers,
});

export const sagasEnded = new Counter({
  name: 'bookrental_sagas_ended_total',
  help: 'Sagas that ended on this worker, by saga type and outcome (COMPLETED, COMPENSATED, RESOLVED_BY_OPERATOR)',
  labelNames: ['saga_type', 'outcome'],
  registers,
});

export const sagaCompensations = new Counter({
  name: 'bookrental_saga_compensations_total',
  help: 'Compensations run by sagas on this worker, by saga type, step and outcome (COMPENSATED; FAILED: gave up, an operator must act; RESOLVED_BY_OPERATOR)',
  labelNames: ['saga_type', 'step', 'outcome'],
  registers,
});

export const activityDuration = new Histogram({
  name: 'bookrental_activity_duration_seconds',
  help: 'Activity attempts run by this worker, by task queue, activity type and outcome (completed, refused: a business refusal, failed: retried)',
  labelNames: ['task_queue', 'activity_type', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const outboxPruned = new Counter({
  name: 'bookrental_outbox_pruned_total',
  help: 'Published outbox rows deleted after OUTBOX_RETENTION_SECONDS by this relay, by outbox',
  labelNames: ['outbox'],
  registers,
});

export const outboxPublished = new Counter({
  name: 'bookrental_outbox_published_total',
  help: 'Outbox rows this relay published to Kafka, by outbox (service schema) and topic',
  labelNames: ['outbox', 'topic'],
  registers,
});

/** What the relay reads at scrape time: each outbox's unpublished rows. */
export interface OutboxBacklog {
  outbox: string;
  rows: number;
  oldestSeconds: number;
}
let readBacklog: (() => Promise<OutboxBacklog[]>) | undefined;
let lastBacklogRead: { at: number; backlog: Promise<OutboxBacklog[]> } | undefined;
/** One database read serves both backlog gauges of a scrape. */
async function backlogNow(): Promise<OutboxBacklog[]> {
  if (!readBacklog) return [];
  if (!lastBacklogRead || Date.now() - lastBacklogRead.at > 1000) {
    lastBacklogRead = { at: Date.now(), backlog: readBacklog().catch(() => []) };
  }
  return lastBacklogRead.backlog;
}
/** The relay tells the metrics how to read its outboxes' backlog (a query at scrape time). */
export function readOutboxBacklogWith(read: (() => Promise<OutboxBacklog[]>) | undefined): void {
  readBacklog = read;
  lastBacklogRead = undefined;
}

export const outboxBacklog = new Gauge({
  name: 'bookrental_outbox_backlog',
  help: 'Unpublished rows per outbox, read at scrape time by the relay',
  labelNames: ['outbox'],
  registers,
  async collect() {
    for (const { outbox, rows } of await backlogNow()) this.set({ outbox }, rows);
  },
});

export const outboxOldestUnpublished = new Gauge({
  name: 'bookrental_outbox_oldest_unpublished_seconds',
  help: 'Age of the oldest unpublished row per outbox (0 when none), read at scrape time by the relay',
  labelNames: ['outbox'],
  registers,
  async collect() {
    for (const { outbox, oldestSeconds } of await backlogNow()) this.set({ outbox }, oldestSeconds);
  },
});

export const consumerProcessed = new Counter({
  name: 'bookrental_consumer_processed_total',
  help: 'Messages whose handler succeeded (duplicates included: they change nothing), by consumer group and topic',
  labelNames: ['group', 'topic'],
  registers,
});

export const consumerRetries = new Counter({
  name: 'bookrental_consumer_retries_total',
  help: 'Handler attempts that failed and were retried, by consumer group and topic',
  labelNames: ['group', 'topic'],
  registers,
});

export const consumerPaused = new Gauge({
  name: 'bookrental_consumer_paused',
  help: 'Partitions paused because the infrastructure failed (database or broker away); 1 while paused, by consumer group, topic and partition',
  labelNames: ['group', 'topic', 'partition'],
  registers,
});

export const consumerRelaunches = new Counter({
  name: 'bookrental_consumer_relaunches_total',
  help: 'Consumer groups started again after a crash kafkajs does not restart from, by consumer group',
  labelNames: ['group'],
  registers,
});

export const consumerPauses = new Counter({
  name: 'bookrental_consumer_pauses_total',
  help: 'Times a partition was paused for an infrastructure failure and retried later (never dead-lettered), by consumer group and topic',
  labelNames: ['group', 'topic'],
  registers,
});

export const deadLettersParked = new Counter({
  name: 'bookrental_dead_letters_total',
  help: 'Messages this process parked on <topic>.dlq, by consumer group, original topic and reason (unparseable, handler_failed)',
  labelNames: ['group', 'topic', 'reason'],
  registers,
});

export const consumerLag = new Gauge({
  name: 'bookrental_consumer_lag',
  help: "Messages not yet committed by a consumer group: partition's high watermark minus the group's committed offset (refreshed every 15 s)",
  labelNames: ['group', 'topic', 'partition'],
  registers,
});

export const deadLetterTopicMessages = new Gauge({
  name: 'bookrental_dlq_messages',
  help: 'Messages held on a dead-letter topic (high minus low watermark, all partitions; refreshed every 15 s)',
  labelNames: ['topic'],
  registers,
});

/** Default metrics ports of the processes that have no HTTP port of their own. */
export const DEFAULT_METRICS_PORTS = { worker: 9464, relay: 9465, consumers: 9466 } as const;

export function metricsPort(config: Pick<TConfig, 'METRICS_PORT'>, process: keyof typeof DEFAULT_METRICS_PORTS): number {
  return config.METRICS_PORT ?? DEFAULT_METRICS_PORTS[process];
}

/** Prometheus text of every metric of this process. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

/**
 * Serves GET /metrics on `port` (0 = not at all). A port already taken (a
 * second worker on one machine) is logged and skipped: metrics are not worth
 * failing a process for.
 */
export async function serveMetrics(options: { port: number; logger: Logger; host?: string }): Promise<{ close(): Promise<void> }> {
  if (options.port === 0) return { close: async () => {} };
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metricsText().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      (error: unknown) => {
        options.logger.warn({ err: error }, 'metrics could not be collected');
        response.writeHead(500).end();
      },
    );
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      options.logger.warn({ port: options.port, err: error }, 'metrics endpoint not started');
      resolve(false);
    });
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve(true));
  });
  if (listening) options.logger.info({ port: options.port }, `metrics on http://127.0.0.1:${options.port}/metrics`);
  return {
    close: () => (listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve()),
  };
}
