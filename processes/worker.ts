/**
 * The Temporal worker: saga workflows on the `sagas` queue and each service's
 * activities on its own queue. WORKER_QUEUES=rental (for example) hosts only
 * that service, so services deploy and scale on their own.
 */
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type ActivityInterceptorsFactory,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { refusalsAsFailures } from '../activities/failures.ts';
import { activitiesByQueue } from '../activities/index.ts';
import { createServiceDbs, distinctDbs, type ServiceSchema } from '../services/platform/service-databases.ts';
import type { Db } from '../services/platform/db.ts';
import { publicBaseUrl } from '../services/platform/config.ts';
import { createMailer } from '../services/platform/mailer.ts';
import type { Logger } from '../services/platform/logger.ts';
import { FAILURE_CONVERTER_PATH, workerDataConverter } from '../services/platform/temporal.ts';
import { checkNamespace, temporalConnectionOf } from '../services/platform/temporal-connection.ts';
import { checkSchema } from '../services/platform/schema-check.ts';
import { metricsPort, serveMetrics } from '../services/platform/metrics.ts';
import { currentTracing } from '../services/platform/tracing.ts';
import { installTemporalLogger, workerObservability, workflowInterceptorModules } from '../services/platform/worker-observability.ts';
import { TASK_QUEUES, type TaskQueue } from '../services/contracts/temporal.ts';
import { isMain, onShutdown, runMain, startRuntime, type Runtime } from './runtime.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const ALL_QUEUES = Object.values(TASK_QUEUES);

export function parseQueues(value: string | undefined): TaskQueue[] {
  if (!value) return ALL_QUEUES;
  const queues = value
    .split(',')
    .map((queue) => queue.trim())
    .filter(Boolean);
  const unknown = queues.filter((queue) => !ALL_QUEUES.includes(queue as TaskQueue));
  if (unknown.length > 0) throw new Error(`unknown task queue(s) ${unknown.join(', ')}; known: ${ALL_QUEUES.join(', ')}`);
  return queues as TaskQueue[];
}

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
/**
 * Bundles the workflow code once per process (all saga workers share it),
 * with workflow spans when spans are exported, with bare trace propagation
 * otherwise (services/platform/worker-observability.ts). Both send the same
 * commands, so histories replay on either.
 */
export function workflowBundle(options: { logger?: Logger; workflowSpans?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  const { logger, workflowSpans = currentTracing().exporting } = options;
  const bundle =
    bundles.get(workflowSpans) ??
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      // Workflow failures are converted inside the sandbox: their messages are encoded (then encrypted) too.
      failureConverterPath: FAILURE_CONVERTER_PATH,
      workflowInterceptorModules: workflowInterceptorModules(workflowSpans),
      logger: logger ? quietBundlerLogger(logger) : undefined,
    });
  bundles.set(workflowSpans, bundle);
  return bundle;
}

function quietBundlerLogger(logger: Logger) {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, meta?: object) =>
    logger[level === 'info' ? 'debug' : level](meta ?? {}, message);
  return {
    trace: log('debug'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    log: (_l: string, m: string) => logger.debug(m),
  } as never;
}

/** What a deployment may add to every activity worker: Temporal's own extension point, empty by default. */
export interface WorkerExtensions {
  activityInterceptors?: ActivityInterceptorsFactory[];
}

export async function createWorkers({ config, logger }: Runtime, queues: TaskQueue[], extensions: WorkerExtensions = {}) {
  installTemporalLogger(logger);
  // Traces, activity logs with workflow ids, saga metrics.
  const observability = workerObservability(logger);
  const connection = await NativeConnection.connect(temporalConnectionOf(config));
  // One client per service whose queue this worker hosts, each on that service's role; none for a queue it does not poll.
  const services = queues.filter((queue): queue is Extract<TaskQueue, ServiceSchema> => queue !== TASK_QUEUES.sagas);
  const dbs = createServiceDbs(config, services, config.DATABASE_POOL_SIZE);
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  // Nothing polls until the namespace and the schema are what the sagas need.
  await checkNamespace(connection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_ADDRESS);
  for (const db of distinctDbs(dbs)) await checkSchema(db);
  const activities = activitiesByQueue({
    // Only the queues hosted are ever asked for: a missing client is never reached.
    dbs: dbs as Record<'auth' | 'member' | 'book' | 'rental', Db>,
    rules: {
      loanPeriodMs: config.LOAN_PERIOD_SECONDS * 1000,
      feeDayMs: config.FEE_DAY_SECONDS * 1000,
      reminderBeforeDueMs: config.REMINDER_BEFORE_DUE_SECONDS * 1000,
    },
    mailer,
    publicBaseUrl: publicBaseUrl(config),
  });
  // Every payload Temporal stores is encrypted (services/platform/payload-codec.ts).
  const dataConverter = workerDataConverter(config.TEMPORAL_CODEC_KEYS);
  const workers = await Promise.all(
    queues.map(async (taskQueue) =>
      taskQueue === TASK_QUEUES.sagas
        ? Worker.create({
            ...observability,
            connection,
            namespace: config.TEMPORAL_NAMESPACE,
            taskQueue,
            workflowBundle: await workflowBundle({ logger }),
            dataConverter,
          })
        : Worker.create({
            ...observability,
            connection,
            namespace: config.TEMPORAL_NAMESPACE,
            taskQueue,
            dataConverter,
            activities: activities[taskQueue],
            interceptors: {
              ...observability.interceptors,
              // The last is the innermost: business refusals become failures before any other interceptor sees them.
              activity: [...(observability.interceptors?.activity ?? []), ...(extensions.activityInterceptors ?? []), refusalsAsFailures],
            },
            // Activities hold a database connection while they run: never more slots than their service's pool.
            maxConcurrentActivityTaskExecutions: dbs.poolSize,
          }),
    ),
  );
  return {
    workers,
    async run() {
      await Promise.all(workers.map((worker) => worker.run()));
    },
    async close() {
      mailer.close();
      await dbs.disconnect();
      await connection.close();
    },
  };
}

/** The worker process's main; `extensions` lets another entry point add interceptors to the same process. */
export async function runWorkerProcess(extensions: WorkerExtensions = {}): Promise<void> {
  const runtime = startRuntime('worker');
  // First: the endpoint answers while the process is still connecting.
  const metrics = await serveMetrics({ port: metricsPort(runtime.config, 'worker'), logger: runtime.logger });
  const queues = parseQueues(runtime.config.WORKER_QUEUES);
  const { workers, run, close } = await createWorkers(runtime, queues, extensions);
  runtime.logger.info({ queues }, 'worker polling');
  const running = run();
  onShutdown(runtime.logger, async () => {
    for (const worker of workers) worker.shutdown();
    await running;
    await close();
    await metrics.close();
  });
  await running;
}

if (isMain(import.meta.url)) runMain(() => runWorkerProcess());
