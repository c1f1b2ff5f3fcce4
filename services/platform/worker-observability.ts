/**
 * What a Temporal worker adds for logs, traces and metrics: the OpenTelemetry
 * interceptors (workflow spans leave the sandbox through the `exporter` sink),
 * an activity interceptor that logs with the workflow and activity ids and
 * times each attempt, the saga metrics sink (workflows/saga.ts), and the SDK's
 * own log lines forwarded to pino.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import {
  DefaultLogger,
  Runtime,
  type ActivityExecuteInput,
  type ActivityInboundCallsInterceptor,
  type InjectedSinks,
  type LogLevel,
  type Next,
  type WorkerInterceptors,
} from '@temporalio/worker';
import type { SagaMetricsSinks } from '../../workflows/saga.ts';
import { withLogContext, type Logger } from './logger.ts';
import { activityDuration, sagaCompensations, sagasEnded, sagasStarted } from './metrics.ts';
import { currentTracing } from './tracing.ts';

const require = createRequire(import.meta.url);
/** Bundled when spans are exported: RunWorkflow and StartActivity spans made in the sandbox, trace headers on every command. */
const WORKFLOW_SPANS_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
/** Bundled otherwise: the client's trace context copied onto every command, no spans (workflows/trace-propagation.ts). */
const TRACE_PROPAGATION_MODULE = fileURLToPath(new URL('../../workflows/trace-propagation.ts', import.meta.url));

/** The workflow interceptor modules to bundle (`workflowInterceptorModules`): full workflow spans, or bare trace propagation. */
export const workflowInterceptorModules = (workflowSpans: boolean): string[] => [
  workflowSpans ? WORKFLOW_SPANS_MODULE : TRACE_PROPAGATION_MODULE,
];

/** `clearOverdueWorkflow` -> `clear-overdue`: the saga's SagaType search attribute. */
export const sagaTypeOf = (workflowType: string): string =>
  workflowType.replace(/Workflow$/, '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Logs every activity attempt with its workflow and activity ids (in the log context, so nested lines carry them too) and times it. */
class ActivityLogInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly logger: Logger,
  ) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { info } = this.ctx;
    const fields = {
      workflowId: info.workflowExecution?.workflowId,
      workflowType: info.workflowType,
      activityType: info.activityType,
      activityId: info.activityId,
      attempt: info.attempt,
      taskQueue: info.taskQueue,
    };
    return withLogContext(fields, async () => {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      const labels = { task_queue: info.taskQueue, activity_type: info.activityType };
      try {
        const result = await next(input);
        activityDuration.observe({ ...labels, outcome: 'completed' }, seconds());
        this.logger.debug({ ms: Math.round(seconds() * 1000) }, 'activity completed');
        return result;
      } catch (error) {
        const refused = error instanceof ApplicationFailure && error.nonRetryable;
        activityDuration.observe({ ...labels, outcome: refused ? 'refused' : 'failed' }, seconds());
        if (refused) this.logger.info({ code: error.type }, 'activity refused');
        else this.logger.warn({ err: error }, 'activity failed; Temporal retries it');
        throw error;
      }
    });
  }
}

/**
 * The sinks the bundled workflows call: workflow spans out to the span
 * processor, saga counts into the metrics. Every worker of the workflow
 * bundle needs them, replay workers and tests' workers too (without them the
 * worker logs an error per call; replay workers do not call them).
 */
export function workerSinks(): InjectedSinks<OpenTelemetrySinks & SagaMetricsSinks> {
  const { spanProcessor, resource } = currentTracing();
  const count = (workflowType: string) => ({ saga_type: sagaTypeOf(workflowType) });
  return {
    exporter: makeWorkflowExporter(spanProcessor, resource),
    sagaMetrics: {
      started: { fn: (info) => sagasStarted.inc(count(info.workflowType)) },
      ended: { fn: (info, outcome) => sagasEnded.inc({ ...count(info.workflowType), outcome }) },
      compensation: { fn: (info, step, outcome) => sagaCompensations.inc({ ...count(info.workflowType), step, outcome }) },
    },
  };
}

/** Interceptors and sinks for Worker.create (spread them in): the same for workflow and activity workers. */
export function workerObservability(logger: Logger): {
  interceptors: WorkerInterceptors;
  sinks: InjectedSinks<OpenTelemetrySinks & SagaMetricsSinks>;
} {
  return {
    interceptors: {
      // The OpenTelemetry one outermost: the activity's log lines then carry its trace id.
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        (ctx) => ({ inbound: new ActivityLogInterceptor(ctx, logger) }),
      ],
    },
    sinks: workerSinks(),
  };
}

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<
  LogLevel,
  string
>;

/**
 * The SDK's level for a line of its own, except for two kinds that are not
 * warnings here: an activity's business refusal (a non-retryable failure,
 * already logged as `activity refused` by ActivityLogInterceptor), and each
 * service's worker polling only activities or only workflows, which is the design.
 */
export function temporalLogLevel(level: LogLevel, message: string, meta?: Record<string, unknown>): LogLevel {
  const refused = message === 'Activity failed' && (meta?.error as { nonRetryable?: unknown } | undefined)?.nonRetryable === true;
  if (refused || /^No (activities|workflows) registered, not polling/.test(message)) return 'DEBUG';
  return level;
}

let runtimeInstalled = false;

/**
 * Sends the Temporal SDK's log lines (its TypeScript side and its native core)
 * to pino at WARN and above, so worker output is JSON throughout. Must run
 * before the first NativeConnection or Worker of the process.
 */
export function installTemporalLogger(logger: Logger): void {
  if (runtimeInstalled) return;
  const log = logger.child({ component: 'temporal' });
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', ({ level, message, meta }) =>
        log[PINO_LEVEL[temporalLogLevel(level, message, meta)]](meta ?? {}, message),
      ),
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    });
    runtimeInstalled = true;
  } catch (error) {
    // A runtime exists already (a test environment made it first): keep it.
    log.debug({ err: error }, 'Temporal runtime already installed; its logger stays');
  }
}
