/**
 * OpenTelemetry tracing, set up first thing by every process: one saga is one
 * trace, from the HTTP request through Temporal (workflow start, workflow,
 * activities) and the outbox row to the Kafka message and the consumer that
 * applies it. Spans are always made, so their ids reach the logs and the next
 * process (`traceparent` in Temporal headers, outbox envelopes and Kafka
 * headers); sending them anywhere is off unless OTEL_* variables ask for it
 * (README "Operations").
 */
import { context, trace, defaultTextMapGetter, defaultTextMapSetter, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TConfig } from './config.ts';

export interface TracingOptions {
  /** `service.name` of the spans (OTEL_SERVICE_NAME overrides it). */
  serviceName: string;
  /** Where spans go, batched; empty = nowhere. */
  exporters?: readonly ('otlp' | 'console')[];
  /** Tests: every ended span is handed here at once (an InMemorySpanExporter, say). */
  spanExporter?: SpanExporter;
  disabled?: boolean;
}

export interface Tracing {
  /** What the worker hands workflow spans to (they are made in the sandbox and leave it through a sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Whether ended spans go anywhere (an exporter is configured): workers make workflow spans only then. */
  exporting: boolean;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/** The exporters the OTEL_* variables ask for: OTEL_TRACES_EXPORTER, else otlp when an endpoint is set, else none. */
export function exportersFromConfig(
  config: Pick<TConfig, 'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>,
) {
  if (config.OTEL_TRACES_EXPORTER) return config.OTEL_TRACES_EXPORTER;
  return config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? (['otlp'] as const) : [];
}

/**
 * Installs the process-wide tracer provider (W3C trace context, async context
 * through AsyncLocalStorage). Once per process: a second call returns the first setup.
 */
export function setupTracing(options: TracingOptions): Tracing {
  if (installed) return installed;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': options.serviceName, 'service.namespace': 'book-rental' }))
    .merge(envDetectorSync.detect());
  if (options.disabled) {
    installed = { spanProcessor: new NoopSpanProcessor(), resource, exporting: false, shutdown: async () => {} };
    return installed;
  }
  const spanProcessors: SpanProcessor[] = (options.exporters ?? []).map(
    (name) => new BatchSpanProcessor(name === 'otlp' ? new OTLPTraceExporter() : new ConsoleSpanExporter()),
  );
  if (options.spanExporter) spanProcessors.push(new SimpleSpanProcessor(options.spanExporter));
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  installed = {
    spanProcessor: provider.getActiveSpanProcessor(),
    resource,
    exporting: spanProcessors.length > 0,
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

/** The installed setup, or one that drops spans (a process or test that never called setupTracing). */
export function currentTracing(): Tracing {
  return installed ?? { spanProcessor: new NoopSpanProcessor(), resource: Resource.default(), exporting: false, shutdown: async () => {} };
}

export const tracer = (): Tracer => trace.getTracer('book-rental');

const w3c = new W3CTraceContextPropagator();

/** The W3C `traceparent` of the active span; undefined outside one. */
export function activeTraceparent(activeContext: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(activeContext, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** A context whose parent is the span a `traceparent` names (the given context when there is none or it does not parse). */
export function contextFromTraceparent(traceparent: string | undefined, base: Context = context.active()): Context {
  if (!traceparent) return base;
  return w3c.extract(base, { traceparent }, defaultTextMapGetter);
}
