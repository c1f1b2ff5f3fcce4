import { pino, type DestinationStream, type Logger } from 'pino';

const SENSITIVE_FIELDS = ['password', 'passwordHash', 'token', 'authorization', 'cookie', 'email', 'phone', 'name', 'birthDate'];

/**
 * Fields that never reach a log line: at the top of the object logged and one
 * or two levels down (`body.email`, `req.headers.authorization`, `err.details.phone`).
 * pino has no recursive wildcard; log deeper objects through a serializer.
 */
export const REDACTED_PATHS = SENSITIVE_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export type { Logger };

export function createLogger(options: { name: string; level?: string; pretty?: boolean; destination?: DestinationStream }): Logger {
  const settings = {
    base: { process: options.name },
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
