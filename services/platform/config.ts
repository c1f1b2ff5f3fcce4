import { z } from 'zod';
import { connectionSettingProblems, KAFKA_SETTINGS, TEMPORAL_SETTINGS } from './connection-settings.ts';
import { parseCodecKeys } from './payload-codec.ts';

/**
 * The development payload-encryption key: public (it is in the repository), so
 * committed test histories stay readable; refused when NODE_ENV=production.
 */
export const DEVELOPMENT_CODEC_KEYS = 'dev:Ym9vay1yZW50YWwtc2FnYXMgZGV2IGNvZGVjIGtleSE=';

/** Every setting the processes read, validated once at start-up and passed down. */
export const ZConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().positive().default(3000),
  DATABASE_URL: z.string().url(),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** The Temporal UI's address: the only origin allowed to call the codec endpoint from a browser. */
  TEMPORAL_UI_URL: z.string().url().optional(),
  /** Payload encryption keys `id:base64(32 bytes)`, comma-separated; the first encrypts, all decrypt (rotation). */
  TEMPORAL_CODEC_KEYS: z
    .string()
    .default(DEVELOPMENT_CODEC_KEYS)
    .transform((value, ctx) => {
      try {
        return parseCodecKeys(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** A shared secret that tools may send as `Authorization: Bearer <token>` to the codec endpoint; unset = admin tokens only. */
  TEMPORAL_CODEC_AUTH_TOKEN: z.string().min(32).optional(),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').transform((value) => value.split(',').map((broker) => broker.trim())),
  KAFKA_CLIENT_ID: z.string().default('book-rental'),
  ...KAFKA_SETTINGS,
  ...TEMPORAL_SETTINGS,
  /** Comma-separated task queues a worker hosts; default all. */
  WORKER_QUEUES: z.string().optional(),
  JWT_SECRET: z.string().min(32).default('local-development-secret-change-me-0123456789'),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  /** Proxies in front of the API whose X-Forwarded-For entries are trusted (login rate limit per client address); 0 = the socket address. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  ADMIN_EMAIL: z.string().email().default('admin@library.local'),
  ADMIN_PASSWORD: z.string().min(8).default('admin-password'),
  /** Loan period and the length of one late-fee day; tests shorten both. */
  LOAN_PERIOD_SECONDS: z.coerce.number().positive().default(14 * 24 * 3600),
  FEE_DAY_SECONDS: z.coerce.number().positive().default(24 * 3600),
  /** Test-only fault injection (test/support/faults.ts); refused in production. */
  FAULTS_FILE: z.string().optional(),
  /** Test-only: the relay exits after publishing a batch and before marking it (duplicate delivery test). */
  RELAY_CRASH_AFTER_PUBLISH: z.stringbool().default(false),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_PRETTY: z.stringbool().optional(),
  /** Where the worker, relay and consumers serve GET /metrics; unset = their own defaults (services/platform/metrics.ts), 0 = off. The api serves it on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Trace exporters (comma-separated `otlp`, `console`, `none`); unset = `otlp` when an OTLP endpoint is set, else none (spans are made, not sent). */
  OTEL_TRACES_EXPORTER: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const names = (value ?? '').split(',').map((name) => name.trim()).filter(Boolean);
      const unknown = names.filter((name) => !['otlp', 'console', 'none'].includes(name));
      if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown exporter(s) ${unknown.join(', ')}; known: otlp, console, none` });
      return value === undefined ? undefined : (names.filter((name) => name !== 'none') as ('otlp' | 'console')[]);
    }),
  /** The OTLP/HTTP collector (`http://host:4318`); the exporter itself reads it and the other OTEL_EXPORTER_OTLP_* variables. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /** `true` turns tracing off altogether: no spans, no trace context passed on. */
  OTEL_SDK_DISABLED: z.stringbool().default(false),
});
export type TConfig = z.infer<typeof ZConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TConfig {
  const parsed = ZConfig.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const connectionProblems = connectionSettingProblems(parsed.data);
  if (connectionProblems.length > 0) throw new Error(`invalid configuration: ${connectionProblems.join('; ')}`);
  if (parsed.data.NODE_ENV === 'production' && parsed.data.JWT_SECRET === ZConfig.shape.JWT_SECRET.parse(undefined)) {
    throw new Error('invalid configuration: JWT_SECRET must be set in production');
  }
  if (parsed.data.NODE_ENV === 'production' && parsed.data.TEMPORAL_CODEC_KEYS[0]!.key.equals(parseCodecKeys(DEVELOPMENT_CODEC_KEYS)[0]!.key)) {
    throw new Error('invalid configuration: TEMPORAL_CODEC_KEYS must be set in production (the development key is public)');
  }
  if (parsed.data.NODE_ENV === 'production' && (parsed.data.FAULTS_FILE || parsed.data.RELAY_CRASH_AFTER_PUBLISH)) {
    throw new Error('invalid configuration: fault injection (FAULTS_FILE, RELAY_CRASH_AFTER_PUBLISH) cannot be used in production');
  }
  return parsed.data;
}
