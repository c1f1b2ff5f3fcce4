import { z } from 'zod';
import { connectionSettingProblems, KAFKA_SETTINGS, TEMPORAL_SETTINGS } from './connection-settings.ts';
import { parseCodecKeys } from './payload-codec.ts';
import {
  DATABASE_USERS,
  databaseLayoutProblems,
  databaseUrlKey,
  RELAY_OUTBOX_URL_KEYS,
  usesDevelopmentPassword,
} from './service-databases.ts';

/**
 * The development payload-encryption key: public (it is in the repository), so
 * committed test histories stay readable; used only when NODE_ENV is development or test.
 */
export const DEVELOPMENT_CODEC_KEYS = 'dev:Ym9vay1yZW50YWwtc2FnYXMgZGV2IGNvZGVjIGtleSE=';

/**
 * The public development values of the secrets. They fill in unset secrets
 * when NODE_ENV is `development` or `test`, and are refused (set or not) under
 * any other NODE_ENV, or none: a deployment that forgets NODE_ENV is treated
 * as production, never the other way round.
 */
export const DEVELOPMENT_SECRETS = {
  JWT_SECRET: 'local-development-secret-change-me-0123456789',
  TEMPORAL_CODEC_KEYS: DEVELOPMENT_CODEC_KEYS,
  ADMIN_PASSWORD: 'admin-password',
} as const;
export type SecretName = keyof typeof DEVELOPMENT_SECRETS;
export const SECRET_NAMES = Object.keys(DEVELOPMENT_SECRETS) as SecretName[];

/** The NODE_ENV values under which the development secrets are accepted. */
export const DEVELOPMENT_ENVIRONMENTS = ['development', 'test'] as const;

/** Every setting the processes read, validated once at start-up and passed down. */
export const ZConfig = z.object({
  /** `development` or `test` accept the public development secrets; anything else (or nothing) is production. */
  NODE_ENV: z.string().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  /** The owner's connection (migrations, operator commands); also each service's while its own URL is unset. */
  DATABASE_URL: z.string().url(),
  /** Each service's own role, which reaches only that service's schema (services/platform/service-databases.ts); unset = DATABASE_URL. */
  AUTH_DATABASE_URL: z.string().url().optional(),
  MEMBER_DATABASE_URL: z.string().url().optional(),
  BOOK_DATABASE_URL: z.string().url().optional(),
  RENTAL_DATABASE_URL: z.string().url().optional(),
  PARTNER_DATABASE_URL: z.string().url().optional(),
  BESTBOOK_DATABASE_URL: z.string().url().optional(),
  NOTIFICATIONS_DATABASE_URL: z.string().url().optional(),
  /** The relay's role: every service's outbox table and nothing else; unset = DATABASE_URL. */
  RELAY_DATABASE_URL: z.string().url().optional(),
  /** The relay's role on the database of one outbox that lives apart (a service moved to a database of its own); unset = RELAY_DATABASE_URL. */
  RELAY_AUTH_OUTBOX_URL: z.string().url().optional(),
  RELAY_MEMBER_OUTBOX_URL: z.string().url().optional(),
  RELAY_BOOK_OUTBOX_URL: z.string().url().optional(),
  RELAY_RENTAL_OUTBOX_URL: z.string().url().optional(),
  /** Connections per database client: a process opens one client per distinct service URL it hosts. */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** The Temporal UI's address: the only origin allowed to call the codec endpoint from a browser. */
  TEMPORAL_UI_URL: z.string().url().optional(),
  /** Payload encryption keys `id:base64(32 bytes)`, comma-separated; the first encrypts, all decrypt (rotation). */
  TEMPORAL_CODEC_KEYS: z.string().transform((value, ctx) => {
    try {
      return parseCodecKeys(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** A shared secret that tools may send as `Authorization: Bearer <token>` to the codec endpoint; unset = admin tokens only. */
  TEMPORAL_CODEC_AUTH_TOKEN: z.string().min(32).optional(),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((broker) => broker.trim())),
  KAFKA_CLIENT_ID: z.string().default('book-rental'),
  ...KAFKA_SETTINGS,
  ...TEMPORAL_SETTINGS,
  /** Comma-separated task queues a worker hosts; default all. */
  WORKER_QUEUES: z.string().optional(),
  JWT_SECRET: z.string().min(32),
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  /** Refresh token lifetime: a session left unrefreshed this long ends (default 14 days). */
  REFRESH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(14 * 24 * 3600),
  /** Signups accepted per client address in an hour, counted across every API process; past it, 429 RATE_LIMITED. */
  SIGNUP_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  /** Password hashes (scrypt) running at once per API process, and waiting behind them; past both, 503 SERVER_BUSY. */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  /** Proxies in front of the API whose X-Forwarded-For entries are trusted (login rate limit per client address); 0 = the socket address. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  ADMIN_EMAIL: z.string().email().default('admin@library.local'),
  /** The admin account's first password: used only to create the account when it is missing, never to reset it. */
  ADMIN_PASSWORD: z.string().min(8),
  /** Loan period and the length of one late-fee day; tests shorten both. */
  LOAN_PERIOD_SECONDS: z.coerce
    .number()
    .positive()
    .default(14 * 24 * 3600),
  FEE_DAY_SECONDS: z.coerce
    .number()
    .positive()
    .default(24 * 3600),
  /** Published outbox rows are deleted after this many seconds (the events live on in Kafka); 0 = never. */
  OUTBOX_RETENTION_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 3600),
  /** How often the relay prunes the outboxes. */
  OUTBOX_PRUNE_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  /** The SMTP server mail goes to (Mailpit under `npm start` and the tests). */
  SMTP_URL: z.string().url().default('smtp://127.0.0.1:1025'),
  /** The sender of every mail. */
  MAIL_FROM: z.string().default('Book Rental <library@book-rental.local>'),
  /** Where members reach the API: the base of the confirmation link in signup mails; unset = http://127.0.0.1:<PORT>. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** How long a signup waits for its address to be confirmed before it is undone. */
  SIGNUP_VERIFICATION_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  /** The due-soon reminder goes out this long before a loan's due date (at once when the loan is shorter). */
  REMINDER_BEFORE_DUE_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(2 * 24 * 3600),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_PRETTY: z.stringbool().optional(),
  /** Also write each process's JSON log lines to `<LOG_DIR>/<process>.log`, rotated by size; unset = stdout only. */
  LOG_DIR: z.string().min(1).optional(),
  LOG_FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(4096)
    .default(10 * 1024 * 1024),
  /** Rotated files kept beside the current one (`<process>.log.1` is the newest). */
  LOG_FILE_KEEP: z.coerce.number().int().min(0).max(100).default(3),
  /** Where the worker, relay and consumers serve GET /metrics; unset = their own defaults (services/platform/metrics.ts), 0 = off. The api serves it on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Trace exporters (comma-separated `otlp`, `console`, `none`); unset = `otlp` when an OTLP endpoint is set, else none (spans are made, not sent). */
  OTEL_TRACES_EXPORTER: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const names = (value ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const unknown = names.filter((name) => !['otlp', 'console', 'none'].includes(name));
      if (unknown.length > 0)
        ctx.addIssue({ code: 'custom', message: `unknown exporter(s) ${unknown.join(', ')}; known: otlp, console, none` });
      return value === undefined ? undefined : (names.filter((name) => name !== 'none') as ('otlp' | 'console')[]);
    }),
  /** The OTLP/HTTP collector (`http://host:4318`); the exporter itself reads it and the other OTEL_EXPORTER_OTLP_* variables. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /** `true` turns tracing off altogether: no spans, no trace context passed on. */
  OTEL_SDK_DISABLED: z.stringbool().default(false),
});
/** The schema with every secret optional: loadConfig decides what an unset secret means. */
const ZConfigInput = ZConfig.partial({ JWT_SECRET: true, TEMPORAL_CODEC_KEYS: true, ADMIN_PASSWORD: true });
export type TConfig = Omit<z.infer<typeof ZConfig>, 'NODE_ENV'> & { NODE_ENV: 'development' | 'test' | 'production' };

/** The base of links in mails. */
export function publicBaseUrl(config: Pick<TConfig, 'PUBLIC_BASE_URL' | 'PORT'>): string {
  return (config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
}

export interface LoadConfigOptions {
  /** The secrets this process uses: only these must be set outside development (the relay needs none, say). Default: all. */
  secrets?: readonly SecretName[];
}

/**
 * Reads and validates the configuration once. Outside development and test,
 * every secret the process uses must be set to something other than its
 * public development value; all that are not are named in one error.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): TConfig {
  const developing = (DEVELOPMENT_ENVIRONMENTS as readonly string[]).includes(env.NODE_ENV ?? '');
  const given = definedOnly(env);
  const parsed = ZConfigInput.safeParse(developing ? { ...DEVELOPMENT_SECRETS, ...given } : given);
  const problems = parsed.success
    ? [...connectionSettingProblems(parsed.data), ...databaseLayoutProblems(parsed.data)]
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (!developing) {
    const missing = (options.secrets ?? SECRET_NAMES).filter((name) => isUnsetOrPublic(name, given[name]));
    if (missing.length > 0) {
      problems.push(
        `${missing.join(', ')} must be set to secret values (unset, or the public development value, is accepted only with NODE_ENV=development or test)`,
      );
    }
    const publicPasswords = [
      ...DATABASE_USERS.map(databaseUrlKey).filter((key, index) => usesDevelopmentPassword(given[key], DATABASE_USERS[index]!)),
      ...RELAY_OUTBOX_URL_KEYS.filter((key) => usesDevelopmentPassword(given[key], 'relay')),
    ];
    if (publicPasswords.length > 0)
      problems.push(
        `${publicPasswords.join(', ')} carry the public development password (accepted only with NODE_ENV=development or test)`,
      );
  }
  if (!parsed.success || problems.length > 0) {
    const environment = developing
      ? `NODE_ENV=${env.NODE_ENV}`
      : env.NODE_ENV
        ? `NODE_ENV=${env.NODE_ENV} (production rules)`
        : 'NODE_ENV unset (production rules)';
    throw new Error(`invalid configuration for ${environment}: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const loaded = { ...config, NODE_ENV: developing ? (env.NODE_ENV as 'development' | 'test') : 'production' } as TConfig;
  // A secret this process did not ask for and that is unset: reading it is a bug, so it throws rather than yield undefined.
  for (const name of SECRET_NAMES) {
    if (config[name] !== undefined) continue;
    Object.defineProperty(loaded, name, {
      enumerable: false,
      get() {
        throw new Error(`${name} is not configured for this process (loadConfig's secrets option)`);
      },
    });
  }
  return loaded;
}

/** Empty variables count as unset (`KEY=` in a compose file or an .env). */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

function isUnsetOrPublic(name: SecretName, value: string | undefined): boolean {
  if (value === undefined) return true;
  if (name !== 'TEMPORAL_CODEC_KEYS') return value === DEVELOPMENT_SECRETS[name];
  // The public key may stay among the decrypting keys (old histories), never as the encrypting one.
  const publicKey = parseCodecKeys(DEVELOPMENT_CODEC_KEYS)[0]!.key;
  try {
    return parseCodecKeys(value)[0]!.key.equals(publicKey);
  } catch {
    return false; // malformed: the schema's own message says why
  }
}
