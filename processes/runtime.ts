/** What every process does first: read configuration once, make its logger and clients, stop cleanly. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type SecretName, type TConfig } from '../services/platform/config.ts';
import { createLogger, type Logger } from '../services/platform/logger.ts';
import { metricsPort, serveMetrics } from '../services/platform/metrics.ts';
import { currentTracing, exportersFromConfig, setupTracing } from '../services/platform/tracing.ts';

export interface Runtime {
  config: TConfig;
  logger: Logger;
}

/** The secrets each process uses; outside development and test it refuses to start without them (services/platform/config.ts). */
const SECRETS_USED: Record<string, readonly SecretName[]> = {
  api: ['JWT_SECRET', 'TEMPORAL_CODEC_KEYS', 'ADMIN_PASSWORD'],
  worker: ['TEMPORAL_CODEC_KEYS'],
};

export function startRuntime(name: string): Runtime {
  const config = loadConfig(process.env, { secrets: SECRETS_USED[name] ?? [] });
  // First, before any client exists: spans of everything that follows join the trace.
  setupTracing({ serviceName: `book-rental-${name}`, exporters: exportersFromConfig(config), disabled: config.OTEL_SDK_DISABLED });
  const logger = createLogger({
    name,
    level: config.LOG_LEVEL,
    pretty: config.LOG_PRETTY ?? false,
    ...(config.LOG_DIR
      ? { file: { path: join(config.LOG_DIR, `${name}.log`), maxBytes: config.LOG_FILE_MAX_BYTES, keep: config.LOG_FILE_KEEP } }
      : {}),
  });
  return { config, logger };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop()
      .then(() => currentTracing().shutdown()) // sends the spans still buffered
      .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return moduleUrl === pathToFileURL(process.argv[1] ?? '').href;
}

export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error('failed to start:', error);
    process.exit(1);
  });
}

/**
 * The main of a process that only runs in the background (relay, consumers):
 * its metrics endpoint first (it answers while the process still connects),
 * then the work, stopped cleanly on SIGINT/SIGTERM.
 */
export async function runServiceProcess(
  name: 'relay' | 'consumers',
  start: (runtime: Runtime) => Promise<{ stop(): Promise<void> }>,
  started: string,
): Promise<void> {
  const runtime = startRuntime(name);
  const metrics = await serveMetrics({ port: metricsPort(runtime.config, name), logger: runtime.logger });
  const { stop } = await start(runtime);
  runtime.logger.info(started);
  onShutdown(runtime.logger, async () => {
    await stop();
    await metrics.close();
  });
}
