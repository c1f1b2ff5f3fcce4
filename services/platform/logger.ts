import { pino, type Logger } from 'pino';

/** Fields that never reach a log line, wherever they appear in the object logged. */
export const REDACTED_PATHS = [
  'password', '*.password', 'passwordHash', '*.passwordHash', 'token', '*.token',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'email', '*.email', 'phone', '*.phone', 'name', '*.name', 'birthDate', '*.birthDate',
];

export type { Logger };

export function createLogger(options: { name: string; level?: string; pretty?: boolean }): Logger {
  return pino({
    base: { process: options.name },
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}),
  });
}
