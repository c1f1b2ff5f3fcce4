/**
 * The bundle a worker runs when no span is exported (workflows/trace-propagation.ts):
 * no spans from the sandbox, but the client's trace context reaches every
 * activity, a child workflow's included, so the saga is still one trace.
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client, Connection } from '@temporalio/client';
import { TRACE_HEADER as LIBRARY_TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../services/platform/logger.ts';
import { setupTracing, tracer } from '../../services/platform/tracing.ts';
import { installTemporalLogger, workerObservability, workflowInterceptorModules } from '../../services/platform/worker-observability.ts';
import { TRACE_HEADER } from '../../workflows/trace-propagation.ts';

const spans = new InMemorySpanExporter();
setupTracing({ serviceName: 'trace-propagation-test', spanExporter: spans });
const stack = inject('stack');

describe('trace propagation without workflow spans', () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closing.reverse()) await close();
  });

  it('uses the header the OpenTelemetry interceptors read', () => {
    expect(TRACE_HEADER).toBe(LIBRARY_TRACE_HEADER);
  });

  it("puts every activity, the child workflow's too, under the client's StartWorkflow span", async () => {
    const taskQueue = `propagation-${randomUUID()}`;
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./propagation.workflow.ts', import.meta.url)),
      workflowInterceptorModules: workflowInterceptorModules(false),
    });
    const logger = createLogger({ name: 'propagation-test', level: 'warn' });
    installTemporalLogger(logger);
    const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    closing.push(() => nativeConnection.close());
    const worker = await Worker.create({
      ...workerObservability(logger),
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: { note: async (step: string) => `${step}:${trace.getActiveSpan()?.spanContext().traceId}` },
    });
    const connection = await Connection.connect({ address: stack.temporalAddress });
    closing.push(() => connection.close());
    const client = new Client({ connection, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });

    const request = tracer().startSpan('request');
    const notes = await worker.runUntil(
      context.with(trace.setSpan(context.active(), request), () =>
        client.workflow.execute('propagationParent', { taskQueue, workflowId: `propagation-${randomUUID()}` }),
      ),
    );
    request.end();

    const traceId = request.spanContext().traceId;
    // The activities ran inside the request's trace...
    expect(notes).toEqual([`parent:${traceId}`, `child:${traceId}`]);
    const ended = spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const start = ended.find((span) => span.name === 'StartWorkflow:propagationParent')!;
    expect(start.parentSpanId).toBe(request.spanContext().spanId);
    // ...each as a child of the StartWorkflow span, and nothing was made inside the sandbox.
    const runs = ended.filter((span) => span.name === 'RunActivity:note');
    expect(runs).toHaveLength(2);
    for (const run of runs) expect(run.parentSpanId).toBe(start.spanContext().spanId);
    expect(ended.filter((span) => /^(RunWorkflow|StartActivity|StartChildWorkflow)/.test(span.name))).toEqual([]);
  });
});
