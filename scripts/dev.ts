/**
 * `npm start`: the whole system in one terminal. Starts (installing when
 * missing) PostgreSQL, Temporal with its UI and Kafka, applies migrations,
 * runs api, worker, relay and consumers, and stops everything on Ctrl-C.
 */
import { resolve } from 'node:path';
import { applyMigrations } from './db/schema-engine.ts';
import { codecEndpointOf, startInfrastructure } from './infra/infra.ts';
import { REPO } from './infra/profiles.ts';
import { startProcesses, waitForHealthy } from './processes.ts';

const port = process.env.PORT ?? '3000';
const log = (line: string) => console.log(`\x1b[2minfra    │\x1b[0m ${line}`);

// The Temporal UI decrypts payloads through the API (services/platform/http/codec-routes.ts).
const infra = await startInfrastructure({ profile: 'dev', log, codecEndpoint: codecEndpointOf(Number(port)) });
log('applying migrations');
const applied = await applyMigrations(infra.env.DATABASE_URL);
log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');

// Explicitly development: the public development secrets are accepted only then (services/platform/config.ts).
// The benchmark (npm run bench) signs up thousands of members from this one address.
// Pretty lines in this terminal; JSON lines in .data/dev/logs/<process>.log as well (rotated).
const processes = startProcesses({
  env: {
    ...infra.env,
    NODE_ENV: 'development',
    SIGNUP_LIMIT_PER_ADDRESS: process.env.SIGNUP_LIMIT_PER_ADDRESS ?? '1000000',
    PORT: port,
    LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
    LOG_DIR: process.env.LOG_DIR ?? resolve(REPO, '.data/dev/logs'),
  },
});
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the app processes and the servers ...');
  await processes.stop();
  await infra.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
for (const [name, child] of processes.children) {
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited (${code}); stopping everything`);
      void stop(1);
    }
  });
}

await waitForHealthy(`http://127.0.0.1:${port}`, 120_000);
console.log(`
  API            http://127.0.0.1:${port}
  OpenAPI docs   http://127.0.0.1:${port}/docs   (document: /openapi.json)
  Temporal UI    ${infra.env.TEMPORAL_UI_URL ?? '(external Temporal: see its own UI)'}
  Decode in UI   http://127.0.0.1:${port}/codec/login   (admin sign-in; then the UI's codec settings, see README)
  PostgreSQL     ${infra.env.DATABASE_URL}
  Temporal       ${infra.env.TEMPORAL_ADDRESS}
  Kafka          ${infra.env.KAFKA_BROKERS}
  Mail (Mailpit) ${infra.env.MAILPIT_URL ?? infra.env.SMTP_URL}   (every mail the library sends; SMTP ${infra.env.SMTP_URL})

  Ctrl-C stops everything.
`);
