/**
 * The admin account and production configuration, on real api processes
 * started by this file beside the stack's (on a port of their own, against
 * the stack's servers): the account is created once and a restart never
 * resets a changed password; production rules refuse to start without secrets.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../services/auth/domain/password.ts';
import { startProcess, stopChild, waitForHealthy } from '../../scripts/processes.ts';
import { stack } from '../support/api.ts';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: stack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await db.end();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const stackEnv = () => ({
  DATABASE_URL: stack().databaseUrl,
  TEMPORAL_ADDRESS: stack().temporalAddress,
  KAFKA_BROKERS: stack().kafkaBrokers,
  LOG_LEVEL: 'warn',
});

/** Runs an api process with this environment until `use` is done. */
async function withApi(env: Record<string, string>, use: (url: string) => Promise<void>) {
  const port = await freePort();
  const child = startProcess('api', {
    env: { ...stackEnv(), NODE_ENV: 'test', ...env, PORT: String(port) },
    logDir: `.data/${stack().profile}/logs/admin-account`,
  });
  try {
    await waitForHealthy(`http://127.0.0.1:${port}`, 180_000);
    await use(`http://127.0.0.1:${port}`);
  } finally {
    await stopChild(child);
  }
}

const login = async (url: string, email: string, password: string) =>
  (
    await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
  ).status;

describe('the admin account', () => {
  it('is created once from ADMIN_EMAIL / ADMIN_PASSWORD; a restart never resets a password the admin changed', async () => {
    const email = `admin-${randomUUID().slice(0, 8)}@library.local`;
    await withApi({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'first-admin-password' }, async (url) => {
      expect(await login(url, email, 'first-admin-password')).toBe(200);
    });
    // The admin changes the password (written as the password-change use case writes it).
    await db.query(`UPDATE auth.credential SET password_hash = $1 WHERE email = $2`, [await hashPassword('changed-by-the-admin'), email]);
    // Restarted, even with another ADMIN_PASSWORD in its configuration.
    await withApi({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'configured-again-password' }, async (url) => {
      expect(await login(url, email, 'changed-by-the-admin')).toBe(200);
      expect(await login(url, email, 'configured-again-password')).toBe(401);
      expect(await login(url, email, 'first-admin-password')).toBe(401);
    });
    const { rows } = await db.query(`SELECT role, status FROM auth.credential WHERE email = $1`, [email]);
    expect(rows).toEqual([{ role: 'ADMIN', status: 'ACTIVE' }]);
  }, 300_000);
});

describe('production configuration', () => {
  it('an api under NODE_ENV=production, or none, refuses to start with one message naming every missing secret', async () => {
    for (const nodeEnv of ['production', undefined]) {
      const env: Record<string, string | undefined> = { ...process.env, ...stackEnv(), PORT: String(await freePort()), NODE_ENV: nodeEnv };
      for (const name of ['JWT_SECRET', 'TEMPORAL_CODEC_KEYS', 'ADMIN_PASSWORD', 'FAULTS_FILE']) delete env[name];
      const child = spawn(process.execPath, ['--import', 'tsx', 'processes/api.ts'], {
        cwd: process.cwd(),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).toBe(1);
      expect(output.match(/invalid configuration/g), output).toHaveLength(1);
      expect(output).toContain('JWT_SECRET, TEMPORAL_CODEC_KEYS, ADMIN_PASSWORD must be set to secret values');
      expect(output).toContain(nodeEnv ? 'NODE_ENV=production' : 'NODE_ENV unset');
    }
  }, 120_000);
});
