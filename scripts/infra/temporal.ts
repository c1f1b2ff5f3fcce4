// The Temporal dev server (`temporal server start-dev`, SQLite) with its web UI.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileAsync, spawnServer } from './process-helpers.ts';
import { CACHE, codecEndpointOf, defaultApiPort, logFile, portsOf, serverDir, type Profile } from './profiles.ts';
import type { ServerDefinition, StartOptions } from './server.ts';

/** The Temporal CLI built by install-temporal.sh (for tests that drive `temporal` themselves). */
export const TEMPORAL_BINARY = join(CACHE, 'temporal-1.5.1/temporal');

function startTemporal(profile: Profile, detached: boolean, opts: StartOptions = {}) {
  const dir = serverDir(profile, 'temporal');
  mkdirSync(dir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(portsOf(profile).temporal),
    '--ui-port',
    String(portsOf(profile).temporalUi),
    '--db-filename',
    join(dir, 'temporal.sqlite'),
    // WAL + synchronous=normal: far fewer fsyncs, still crash-safe for the database file.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
    // The dev server's one history shard reads its transfer queue (every workflow and activity task on its way
    // to a worker) at most 20 times a second, which added 25-45 ms to every step of a saga: rent-return at
    // 6 sagas/s went from p50 588 ms to 141-147 ms with no measurable cost at peak (docs/PERFORMANCE.md).
    '--dynamic-config-value',
    'history.transferProcessorMaxPollRPS=100',
    '--namespace',
    'default',
    '--search-attribute',
    'MemberId=Keyword',
    '--search-attribute',
    'BookNo=Keyword',
    '--search-attribute',
    'SagaStatus=Keyword',
    '--search-attribute',
    'SagaType=Keyword',
    '--search-attribute',
    'SagaSummary=Keyword',
    // The UI decrypts payloads through the API's codec endpoint (payloads are encrypted, see README "Security").
    '--ui-codec-endpoint',
    opts.codecEndpoint ?? codecEndpointOf(defaultApiPort(profile)),
  ];
  return spawnServer(logFile(profile, 'temporal'), TEMPORAL_BINARY, args, { detached, cwd: dir });
}

async function temporalReady(profile: Profile): Promise<boolean> {
  const address = `127.0.0.1:${portsOf(profile).temporal}`;
  try {
    // Health answers as soon as the frontend is up; the namespace proves the persistence layer too.
    await execFileAsync(TEMPORAL_BINARY, ['operator', 'cluster', 'health', '--address', address], { timeout: 5000 });
    await execFileAsync(TEMPORAL_BINARY, ['operator', 'namespace', 'describe', '--namespace', 'default', '--address', address], {
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

export const temporal: ServerDefinition = {
  name: 'temporal',
  installer: 'install-temporal.sh',
  commandMarker: TEMPORAL_BINARY,
  startTimeoutMs: 120_000,
  start: startTemporal,
  ready: temporalReady,
};
