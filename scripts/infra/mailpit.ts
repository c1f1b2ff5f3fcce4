// Mailpit: the project's SMTP server, with a web UI and a JSON API that show every mail it received.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnServer } from './process-helpers.ts';
import { CACHE, logFile, portsOf, serverDir, type Profile } from './profiles.ts';
import type { ServerDefinition } from './server.ts';

export const MAILPIT_BINARY = join(CACHE, 'mailpit-1.33.1/mailpit');

function startMailpit(profile: Profile, detached: boolean) {
  const dir = serverDir(profile, 'mailpit');
  mkdirSync(dir, { recursive: true });
  const { mailpit, mailpitSmtp } = portsOf(profile);
  const args = [
    '--listen',
    `127.0.0.1:${mailpit}`,
    '--smtp',
    `127.0.0.1:${mailpitSmtp}`,
    '--database',
    join(dir, 'mailpit.db'),
    // The notifier marks a mail sent only after the server took it: a crash in between sends it again with the
    // same Message-ID, which Mailpit drops (README "Notifications").
    '--ignore-duplicate-ids',
    // Plain SMTP on loopback, no login (development and tests only).
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    '--max',
    '50000',
    '--disable-version-check',
    '--quiet',
  ];
  return spawnServer(logFile(profile, 'mailpit'), MAILPIT_BINARY, args, { detached, cwd: dir });
}

async function mailpitReady(profile: Profile): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${portsOf(profile).mailpit}/api/v1/info`, { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

export const mailpit: ServerDefinition = {
  name: 'mailpit',
  installer: 'install-mailpit.sh',
  commandMarker: MAILPIT_BINARY,
  startTimeoutMs: 60_000,
  start: startMailpit,
  ready: mailpitReady,
};
