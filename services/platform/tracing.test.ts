import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { createLogger, withLogContext } from './logger.ts';
import { activeTraceparent, contextFromTraceparent, exportersFromConfig, setupTracing, tracer } from './tracing.ts';

const spans = new InMemorySpanExporter();
setupTracing({ serviceName: 'tracing-test', spanExporter: spans });
const config = (env: Record<string, string>) => loadConfig({ DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db', NODE_ENV: 'test', ...env });

describe('tracing', () => {
  it('exports nothing unless OTEL_* asks: an OTLP endpoint means otlp, OTEL_TRACES_EXPORTER decides when set', () => {
    expect(exportersFromConfig(config({}))).toEqual([]);
    expect(exportersFromConfig(config({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }))).toEqual(['otlp']);
    expect(exportersFromConfig(config({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }))).toEqual([]);
    expect(exportersFromConfig(config({ OTEL_TRACES_EXPORTER: 'console,otlp' }))).toEqual(['console', 'otlp']);
    expect(() => config({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/unknown exporter\(s\) zipkin/);
  });

  it('a traceparent written with an event makes the next span its child, across processes', () => {
    expect(activeTraceparent()).toBeUndefined();
    const writer = tracer().startSpan('write');
    const traceparent = activeTraceparent(trace.setSpan(context.active(), writer))!;
    expect(traceparent).toBe(`00-${writer.spanContext().traceId}-${writer.spanContext().spanId}-01`);
    writer.end();
    const reader = tracer().startSpan('read', {}, contextFromTraceparent(traceparent));
    reader.end();
    const [, read] = spans.getFinishedSpans();
    expect(read!.spanContext().traceId).toBe(writer.spanContext().traceId);
    expect(read!.parentSpanId).toBe(writer.spanContext().spanId);
    // A malformed one starts a new trace instead of failing.
    expect(trace.getSpanContext(contextFromTraceparent('00-garbage'))).toBeUndefined();
  });

  it('log lines carry the log context ids and the active trace', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ name: 'test', destination });
    tracer().startActiveSpan('request', (span) => {
      withLogContext({ requestId: 'r-1' }, () => withLogContext({ eventId: 'e-1' }, () => logger.info('inside')));
      span.end();
    });
    logger.info('outside');
    const [inside, outside] = lines.map((line) => JSON.parse(line));
    const { traceId, spanId } = spans.getFinishedSpans().at(-1)!.spanContext();
    expect(inside).toMatchObject({ requestId: 'r-1', eventId: 'e-1', traceId, spanId, msg: 'inside' });
    expect(outside).not.toHaveProperty('requestId');
    expect(outside).not.toHaveProperty('traceId');
  });
});
