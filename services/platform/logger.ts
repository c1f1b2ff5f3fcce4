import { isSpanContextValid, trace } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { types } from 'node:util';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { RotatingFile, type RotatingFileOptions } from './log-file.ts';

// taskToken: the Temporal SDK puts an activity's task token on its own log lines; whoever holds it can complete the activity.
const SENSITIVE_FIELDS = [
  'password',
  'passwordHash',
  'token',
  'taskToken',
  'authorization',
  'cookie',
  'email',
  'phone',
  'name',
  'birthDate',
];

/**
 * Fields that never reach a log line: at the top of the object logged and one
 * or two levels down (`body.email`, `req.headers.authorization`, `err.details.phone`).
 * pino has no recursive wildcard; log deeper objects through a serializer.
 */
export const REDACTED_PATHS = SENSITIVE_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

/**
 * The `name` of an error is its type (`PrismaClientKnownRequestError`), which an
 * operator needs; every other `name` may be a person's. pino's redaction cannot
 * exempt `err.name` from `*.name` by path, so the error serializers wrap that one
 * value in this class and the censor lets it through (it prints as the plain string).
 */
class ErrorTypeName {
  constructor(readonly value: string) {}
  toJSON(): string {
    return this.value;
  }
}

const censor = (value: unknown) => (value instanceof ErrorTypeName ? value : '[redacted]');

/**
 * Marks `serialized.name` as an error type when `original` really is an error; anything else logged
 * as an error keeps its name redacted. isNativeError, not instanceof: errors made in the workflow
 * sandbox come from another realm.
 */
function markErrorName(serialized: Record<string, unknown>, original: unknown): Record<string, unknown> {
  if (types.isNativeError(original) && typeof serialized.name === 'string') serialized.name = new ErrorTypeName(serialized.name);
  return serialized;
}

const serializers = {
  err: (value: unknown) => markErrorName(pino.stdSerializers.err(value as Error), value),
  // The Temporal SDK and kafkajs log errors under `error`: they keep the shape they had (own fields only), copied, not changed in place.
  error: (value: unknown) => (types.isNativeError(value) ? markErrorName({ ...value }, value) : value),
};

export type { Logger };

const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/**
 * Runs `fn` with ids that every log line inside it carries, however deep the
 * call that logs: the request id in the API, the workflow and activity in a
 * worker, the event in a consumer.
 */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

/** The log context's ids and the active span's trace and span id (to find the trace of a log line). */
function contextFields(): Record<string, unknown> {
  const span = trace.getActiveSpan()?.spanContext();
  const ids = span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
  return { ...logContext.getStore(), ...ids };
}

/** pino-pretty as a stream (a development dependency: loaded only when pretty output is asked for). */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => DestinationStream;
  return pretty({ colorize: true, ignore: 'pid,hostname' });
}

export function createLogger(options: {
  name: string;
  level?: string;
  pretty?: boolean;
  destination?: DestinationStream;
  /** Also write the JSON lines to this file, rotated by size (LOG_DIR: `<dir>/<process>.log`). */
  file?: { path: string } & RotatingFileOptions;
}): Logger {
  const level = options.level ?? 'info';
  const settings = {
    base: { process: options.name },
    level,
    serializers,
    redact: { paths: REDACTED_PATHS, censor },
    mixin: contextFields,
  };
  if (!options.file) {
    if (options.destination) return pino(settings, options.destination);
    return options.pretty
      ? pino({ ...settings, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } })
      : pino(settings);
  }
  const console = options.destination ?? (options.pretty ? prettyStream() : pino.destination({ dest: 1, sync: true }));
  const file = new RotatingFile(options.file.path, options.file);
  // Each stream takes every line the logger lets through (its level decides).
  const streamLevel = (level === 'silent' ? 'fatal' : level) as Level;
  return pino(
    settings,
    pino.multistream([
      { level: streamLevel, stream: console },
      { level: streamLevel, stream: file },
    ]),
  );
}
