/**
 * `npm start` (profile dev) and `npm start -- --profile cluster` (or
 * `npm run start:cluster`): the whole system in one terminal. Starts
 * (installing when missing) PostgreSQL, Temporal with its UI and Kafka,
 * applies migrations, runs the app processes (each doubled in the cluster
 * profile), and stops everything on Ctrl-C.
 */
import { resolve } from 'node:path';
import { applyMigrations } from './db/schema-engine.ts';
import { ensureServiceRoles } from './db/roles.ts';
import { codecEndpointOf, defaultApiPort, isProfile, startInfrastructure, type Profile } from './infra/infra.ts';
import { REPO } from './infra/profiles.ts';
import { processInstances, startProcesses, waitForHealthy } from './processes.ts';

function profileFromArgs(argv: string[]): Profile {
  const i = argv.indexOf('--profile');
  const profile = i >= 0 ? (argv[i + 1] ?? '') : 'dev';
  if (profile !== 'dev' && profile !== 'cluster') {
    console.error(`npm start runs the dev or the cluster profile (--profile cluster), not "${profile}"; test profiles belong to npm test`);
    process.exit(2);
  }
  if (!isProfile(profile)) process.exit(2);
  return profile;
}

const profile = profileFromArgs(process.argv.slice(2));
const cluster = profile === 'cluster';
const port = Number(process.env.PORT ?? defaultApiPort(profile));
const log = (line: string) => console.log(`\x1b[2minfra      │\x1b[0m ${line}`);

// The Temporal UI decrypts payloads through the API (services/platform/http/codec-routes.ts).
const infra = await startInfrastructure({ profile, log, codecEndpoint: codecEndpointOf(port) });
log('applying migrations');
const applied = await applyMigrations(infra.env.DATABASE_URL);
// Each service's role, reaching only its own schema (after the migrations: the grants cover the tables they made).
await ensureServiceRoles(infra.env.DATABASE_URL, { ...infra.env });
log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');

// Explicitly development: the public development secrets are accepted only then (services/platform/config.ts).
// The benchmark (npm run bench) signs up thousands of members from this one address.
// Pretty lines in this terminal; JSON lines in .data/<profile>/logs/<process>.log as well (rotated; a second copy's under logs/<instance>/).
const instances = processInstances({ apiPort: port, doubled: cluster });
const processes = startProcesses({
  env: {
    ...infra.env,
    NODE_ENV: 'development',
    SIGNUP_LIMIT_PER_ADDRESS: process.env.SIGNUP_LIMIT_PER_ADDRESS ?? '1000000',
    LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
    LOG_DIR: process.env.LOG_DIR ?? resolve(REPO, `.data/${profile}/logs`),
  },
  instances,
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

const apiPorts = instances.filter((i) => i.name === 'api').map((i) => Number(i.env.PORT));
await Promise.all(apiPorts.map((p) => waitForHealthy(`http://127.0.0.1:${p}`, 180_000)));
console.log(`
  profile        ${profile}${cluster ? ' (3 Kafka brokers, Temporal server on PostgreSQL, every app process doubled)' : ''}
  API            ${apiPorts.map((p) => `http://127.0.0.1:${p}`).join('  ')}
  OpenAPI docs   http://127.0.0.1:${port}/docs   (document: /openapi.json)
  Temporal UI    ${infra.env.TEMPORAL_UI_URL ?? '(external Temporal: see its own UI)'}
  Decode in UI   http://127.0.0.1:${port}/codec/login   (admin sign-in; then the UI's codec settings, see README)
  PostgreSQL     ${infra.env.DATABASE_URL}
  Temporal       ${infra.env.TEMPORAL_ADDRESS}
  Kafka          ${infra.env.KAFKA_BROKERS}
  Mail (Mailpit) ${infra.env.MAILPIT_URL ?? infra.env.SMTP_URL}   (every mail the library sends; SMTP ${infra.env.SMTP_URL})
  processes      ${[...processes.children.keys()].join(', ')}

  Ctrl-C stops everything.
`);
